import {
  InMemoryUnitOfWork,
  type UnitOfWorkContext,
  type UnitOfWorkOptions,
  type UnitOfWorkParticipant,
} from '@pd/cqrs';
import type { AnyDomainEvent } from '@pd/ddd';

/** Options of {@link FakeUnitOfWork}. */
export interface FakeUnitOfWorkOptions extends UnitOfWorkOptions {
  /** Enlisted at construction (repositories, stores), in order. */
  readonly participants?: readonly UnitOfWorkParticipant[];
}

/**
 * The cqrs {@link InMemoryUnitOfWork} (the real commit chain: flush, pull and stamp events,
 * outbox, hooks) that records what happened to it: the context it began with, its commits and
 * their events, its rollbacks. {@link failCommitWith} makes the storage commit fail, to test the
 * rollback path.
 *
 * @example
 * const uows: FakeUnitOfWork[] = [];
 * bus.register(PlaceOrder, handler, { uow: () => { const u = new FakeUnitOfWork({ participants: [orders] }); uows.push(u); return u } });
 * await bus.send(cmd);
 * uows[0]?.commits; // 1
 */
export class FakeUnitOfWork extends InMemoryUnitOfWork {
  #begun: UnitOfWorkContext | undefined;
  #commits = 0;
  #rollbacks = 0;
  #committed: AnyDomainEvent[] = [];
  #commitError: unknown;
  #failCommit = false;

  constructor(options: FakeUnitOfWorkOptions = {}) {
    const { participants = [], ...rest } = options;
    super(rest);
    for (const participant of participants) this.enlist(participant);
  }

  override async begin(context?: UnitOfWorkContext): Promise<void> {
    await super.begin(context);
    this.#begun = this.context;
  }

  override async commit(): Promise<void> {
    await super.commit();
    this.#commits += 1;
    this.#committed = [...this.collectEvents()];
  }

  override async rollback(): Promise<void> {
    const effective = this.status === 'active' || this.status === 'idle';
    await super.rollback();
    if (effective) this.#rollbacks += 1;
  }

  /** Makes the next storage commit throw `error` (after flush and before-commit hooks ran). */
  failCommitWith(error: unknown): this {
    this.#failCommit = true;
    this.#commitError = error;
    return this;
  }

  protected override async commitTransaction(): Promise<void> {
    if (this.#failCommit) {
      this.#failCommit = false;
      throw this.#commitError;
    }
  }

  /** The context `begin` received, or `undefined` before `begin`. */
  get begunWith(): UnitOfWorkContext | undefined {
    return this.#begun;
  }

  /** Successful commits (0 or 1). */
  get commits(): number {
    return this.#commits;
  }

  /** Effective rollbacks (0 or 1: later calls are no-ops, as on every unit of work). */
  get rollbacks(): number {
    return this.#rollbacks;
  }

  /** True after a successful commit. */
  get committed(): boolean {
    return this.#commits > 0;
  }

  /** True after a rollback. */
  get rolledBack(): boolean {
    return this.#rollbacks > 0;
  }

  /** The stamped events of the commit (empty before, or after a rollback). */
  get committedEvents(): readonly AnyDomainEvent[] {
    return this.#committed;
  }
}
