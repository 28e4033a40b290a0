import type { AnyDomainEvent } from '@pd/ddd';
import { UnitOfWorkStateError } from '../errors/cqrsErrors.js';
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
  #participants: UnitOfWorkParticipant[] = [];
  #events: AnyDomainEvent[] = [];
  #beforeCommit: Hook<readonly AnyDomainEvent[]>[] = [];
  #afterCommit: Hook<readonly AnyDomainEvent[]>[] = [];
  #completion: Hook<UnitOfWorkOutcome>[] = [];
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
    this.#events = [];
    this.#status = 'active';
    await this.beginTransaction();
  }

  enlist<TParticipant extends UnitOfWorkParticipant>(participant: TParticipant): TParticipant {
    if (!this.#participants.includes(participant)) this.#participants.push(participant);
    return participant;
  }

  /** Enlists a repository (or any participant) and returns it: `readonly orders = this.track(repo)`. */
  protected track<TParticipant extends UnitOfWorkParticipant>(
    participant: TParticipant,
  ): TParticipant {
    return this.enlist(participant);
  }

  onBeforeCommit(hook: Hook<readonly AnyDomainEvent[]>): void {
    this.#beforeCommit.push(hook);
  }

  onAfterCommit(hook: Hook<readonly AnyDomainEvent[]>): void {
    this.#afterCommit.push(hook);
  }

  onCompletion(hook: Hook<UnitOfWorkOutcome>): void {
    this.#completion.push(hook);
  }

  async commit(): Promise<void> {
    if (this.#status === 'idle') await this.begin(this.#context);
    if (this.#status !== 'active')
      throw new UnitOfWorkStateError(`cannot commit a unit of work that is ${this.#status}`);
    for (const participant of this.#participants) await participant.flush?.(this.#context);
    const events = this.collectAndStamp();
    if (this.#options.outbox && events.length > 0)
      await this.#options.outbox.write(events, this.#context);
    await this.writeOutbox(events);
    for (const hook of this.#beforeCommit) await hook(events);
    await this.commitTransaction();
    this.#events = events;
    this.#status = 'committed';
    for (const participant of this.#participants) {
      if (participant.afterCommit)
        await this.#safely(() => participant.afterCommit?.(this.#context));
    }
    for (const hook of this.#afterCommit) await this.#safely(() => hook(events));
    await this.#complete('committed');
  }

  async rollback(): Promise<void> {
    if (this.#status === 'rolledBack' || this.#status === 'committed') return;
    const wasActive = this.#status === 'active';
    this.#status = 'rolledBack';
    this.#events = [];
    for (const participant of this.#participants) participant.discardEvents?.();
    try {
      if (wasActive) await this.rollbackTransaction();
    } finally {
      await this.#complete('rolledBack');
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

  async #complete(outcome: UnitOfWorkOutcome): Promise<void> {
    const hooks = this.#completion;
    this.#completion = [];
    for (const hook of hooks.reverse()) await this.#safely(() => hook(outcome));
  }

  async #safely(fn: () => Promise<void> | void): Promise<void> {
    try {
      await fn();
    } catch (error) {
      if (this.#options.onHookError) this.#options.onHookError(error);
      else
        process.emitWarning(
          `pd: a unit-of-work hook failed after the outcome was decided: ${String(error)}`,
        );
    }
  }
}

/**
 * A unit of work with no storage transaction: participants (in-memory repositories, stores) write
 * at flush. Good for tests and single-process applications.
 */
export class InMemoryUnitOfWork extends AbstractUnitOfWork {}
