import type { AnyDomainEvent } from '@pd/ddd';
import { UnitOfWorkStateError } from '../errors/cqrsErrors.js';
import { isThenable } from '../pipeline/messagePipeline.js';
import type {
  EventSink,
  UnitOfWork,
  UnitOfWorkContext,
  UnitOfWorkOutcome,
  UnitOfWorkParticipant,
  UnitOfWorkStatus,
} from './unitOfWork.js';

type Hook<T> = (arg: T) => Promise<void> | void;

/** Options of {@link AbstractUnitOfWork}. */
export interface UnitOfWorkOptions {
  /** Transactional outbox: the committing command's events are written here before commit. */
  readonly outbox?: EventSink;
  /** Reports failures of after-commit and completion hooks (they cannot undo the commit). */
  readonly onHookError?: (error: unknown) => void;
}

/** The shared empty list every hook and participant list starts as; never pushed to. */
const NONE: never[] = Object.freeze([]) as unknown as never[];

const EMPTY_CONTEXT: UnitOfWorkContext = Object.freeze({
  commandId: null,
  correlationId: null,
  causationId: null,
});

/**
 * The commit machinery every unit of work shares. Subclasses override the storage hooks
 * ({@link beginTransaction}, {@link commitTransaction}, {@link rollbackTransaction}) and expose
 * their repositories, usually through {@link track}.
 *
 * @example
 * class ShopUnitOfWork extends InMemoryUnitOfWork {
 *   readonly orders = this.track(ordersRepository);
 * }
 */
export abstract class AbstractUnitOfWork implements UnitOfWork {
  #status: UnitOfWorkStatus = 'idle';
  #context: UnitOfWorkContext = EMPTY_CONTEXT;
  // Lists start as the shared empty NONE and get their own array on the first push: most units
  // of work use few of them, and one is made per command.
  #participants: UnitOfWorkParticipant[] = NONE;
  /** The view each shared participant gave this unit of work (see `enlist`). */
  #views: Map<UnitOfWorkParticipant, UnitOfWorkParticipant> | undefined;
  /** The events this unit of work wrote to its outbox, until it commits or rolls back. */
  #written: readonly AnyDomainEvent[] | undefined;
  #events: AnyDomainEvent[] = [];
  #beforeCommit: Hook<readonly AnyDomainEvent[]>[] = NONE;
  #afterCommit: Hook<readonly AnyDomainEvent[]>[] = NONE;
  #completion: Hook<UnitOfWorkOutcome>[] = NONE;
  readonly #options: UnitOfWorkOptions;

  constructor(options: UnitOfWorkOptions = {}) {
    this.#options = options;
  }

  get status(): UnitOfWorkStatus {
    return this.#status;
  }

  get context(): UnitOfWorkContext {
    return this.#context;
  }

  async begin(context: UnitOfWorkContext = EMPTY_CONTEXT): Promise<void> {
    if (this.#status !== 'idle')
      throw new UnitOfWorkStateError(`cannot begin a unit of work that is ${this.#status}`);
    this.#context = Object.freeze({ ...context });
    // #events is still the constructor's empty array: only an idle unit of work can begin.
    this.#status = 'active';
    if (this.beginTransaction !== AbstractUnitOfWork.prototype.beginTransaction)
      await this.beginTransaction();
  }

  enlist<TParticipant extends UnitOfWorkParticipant>(participant: TParticipant): TParticipant {
    // A shared repository gives each unit of work a view of its own (see `forUnitOfWork`), once.
    let own = participant;
    if (typeof participant.forUnitOfWork === 'function') {
      this.#views ??= new Map();
      own = (this.#views.get(participant) ?? participant.forUnitOfWork()) as TParticipant;
      this.#views.set(participant, own);
    }
    if (this.#participants === NONE) this.#participants = [own];
    else if (!this.#participants.includes(own)) this.#participants.push(own);
    return own;
  }

  /**
   * Enlists a repository (or any participant) and returns what this unit of work should use:
   * `readonly orders = this.track(repo)`. For a repository shared by every command, that is a view
   * of its own, whose changes reach the shared store only when this unit of work commits.
   */
  protected track<TParticipant extends UnitOfWorkParticipant>(
    participant: TParticipant,
  ): TParticipant {
    return this.enlist(participant);
  }

  onBeforeCommit(hook: Hook<readonly AnyDomainEvent[]>): void {
    if (this.#beforeCommit === NONE) this.#beforeCommit = [hook];
    else this.#beforeCommit.push(hook);
  }

  onAfterCommit(hook: Hook<readonly AnyDomainEvent[]>): void {
    if (this.#afterCommit === NONE) this.#afterCommit = [hook];
    else this.#afterCommit.push(hook);
  }

  onCompletion(hook: Hook<UnitOfWorkOutcome>): void {
    if (this.#completion === NONE) this.#completion = [hook];
    else this.#completion.push(hook);
  }

  // The steps below await only what returned a promise, and skip the storage hooks this class
  // leaves empty: a commit with nothing to do then takes no promise turns. The order is the same.
  async commit(): Promise<void> {
    if (this.#status === 'idle') await this.begin(this.#context);
    if (this.#status !== 'active')
      throw new UnitOfWorkStateError(`cannot commit a unit of work that is ${this.#status}`);
    const context = this.#context;
    for (const participant of this.#participants) {
      const flush = participant.flush;
      if (flush != null) {
        const flushed = flush.call(participant, context);
        if (isThenable(flushed)) await flushed;
      }
    }
    const events = this.collectAndStamp();
    if (this.#options.outbox && events.length > 0) {
      await this.#options.outbox.write(events, context);
      this.#written = events;
    }
    if (this.writeOutbox !== AbstractUnitOfWork.prototype.writeOutbox)
      await this.writeOutbox(events);
    for (const hook of this.#beforeCommit) {
      const done = hook(events);
      if (isThenable(done)) await done;
    }
    if (this.commitTransaction !== AbstractUnitOfWork.prototype.commitTransaction)
      await this.commitTransaction();
    this.#events = events;
    this.#status = 'committed';
    this.#written = undefined;
    for (const participant of this.#participants) {
      const afterCommit = participant.afterCommit;
      if (afterCommit) {
        try {
          const done = afterCommit.call(participant, context);
          if (isThenable(done)) await done;
        } catch (error) {
          this.#hookFailed(error);
        }
      }
    }
    for (const hook of this.#afterCommit) {
      try {
        const done = hook(events);
        if (isThenable(done)) await done;
      } catch (error) {
        this.#hookFailed(error);
      }
    }
    const completing = this.#complete('committed');
    if (completing !== undefined) await completing;
  }

  async rollback(): Promise<void> {
    if (this.#status === 'rolledBack' || this.#status === 'committed') return;
    const wasActive = this.#status === 'active';
    this.#status = 'rolledBack';
    this.#events = [];
    for (const participant of this.#participants) participant.discardEvents?.();
    const written = this.#written;
    this.#written = undefined;
    const retract = this.#options.outbox?.retract;
    if (written !== undefined && retract !== undefined) {
      try {
        await retract.call(this.#options.outbox, written, this.#context);
      } catch (error) {
        this.#hookFailed(error);
      }
    }
    try {
      if (
        wasActive &&
        this.rollbackTransaction !== AbstractUnitOfWork.prototype.rollbackTransaction
      )
        await this.rollbackTransaction();
    } finally {
      const completing = this.#complete('rolledBack');
      if (completing !== undefined) await completing;
    }
  }

  collectEvents(): readonly AnyDomainEvent[] {
    return this.#events;
  }

  /** Pulls every participant's events in enlistment order and stamps them with the tracing ids. */
  protected collectAndStamp(): AnyDomainEvent[] {
    const { correlationId, causationId } = this.#context;
    const events: AnyDomainEvent[] = [];
    for (const participant of this.#participants) {
      for (const event of participant.pullEvents?.() ?? []) {
        events.push(
          correlationId === null && causationId === null
            ? event
            : event.stamp({
                correlationId: event.correlationId ?? correlationId,
                causationId: event.causationId ?? causationId,
              }),
        );
      }
    }
    return events;
  }

  /** Hook: write `events` to an outbox in the same transaction. Default: nothing. */
  protected async writeOutbox(_events: readonly AnyDomainEvent[]): Promise<void> {}
  /** Hook: open the storage transaction. */
  protected async beginTransaction(): Promise<void> {}
  /** Hook: commit the storage transaction. */
  protected async commitTransaction(): Promise<void> {}
  /** Hook: roll back the storage transaction. */
  protected async rollbackTransaction(): Promise<void> {}

  /** Runs the completion hooks, last registered first; `undefined` when there are none. */
  #complete(outcome: UnitOfWorkOutcome): Promise<void> | undefined {
    const hooks = this.#completion;
    if (hooks.length === 0) return undefined;
    this.#completion = NONE;
    return this.#runCompletion(hooks.reverse(), outcome);
  }

  async #runCompletion(
    hooks: readonly Hook<UnitOfWorkOutcome>[],
    outcome: UnitOfWorkOutcome,
  ): Promise<void> {
    for (const hook of hooks) {
      try {
        const done = hook(outcome);
        if (isThenable(done)) await done;
      } catch (error) {
        this.#hookFailed(error);
      }
    }
  }

  /** A hook failed after the outcome was decided: it cannot change it, so it is only reported. */
  #hookFailed(error: unknown): void {
    if (this.#options.onHookError) this.#options.onHookError(error);
    else
      process.emitWarning(
        `pd: a unit-of-work hook failed after the outcome was decided: ${String(error)}`,
      );
  }
}

/**
 * A unit of work with no storage transaction: participants (in-memory repositories, stores) write
 * at flush. Good for tests and single-process applications.
 */
export class InMemoryUnitOfWork extends AbstractUnitOfWork {}
