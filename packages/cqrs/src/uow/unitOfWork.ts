import type { AnyDomainEvent } from '@pd/ddd';

/** What the bus tells a unit of work about the command it runs. */
export interface UnitOfWorkContext {
  readonly commandId: string | null;
  readonly correlationId: string | null;
  readonly causationId: string | null;
}

/**
 * Something that takes part in a unit of work's commit: a repository, an event-sourced
 * repository that appends at commit, an idempotency record. Participants are called in the order
 * they were enlisted.
 */
export interface UnitOfWorkParticipant {
  /** Writes pending changes. Runs first in the commit chain, inside the transaction. */
  flush?(context: UnitOfWorkContext): Promise<void>;
  /** Drains the domain events collected since the last pull. */
  pullEvents?(): readonly AnyDomainEvent[];
  /** Forgets collected events and pending changes (on rollback). */
  discardEvents?(): void;
  /**
   * Best-effort work after the storage commit (e.g. writing a snapshot). A failure is reported
   * through the unit of work's hook-error handler; it never fails the committed command.
   */
  afterCommit?(context: UnitOfWorkContext): Promise<void>;
  /**
   * A participant of its own for one unit of work. A repository shared by every command (the
   * ddd `InMemoryRepository`) returns a view that stages that command's changes and events, so
   * concurrent commands stay apart and a rolled-back one writes nothing. `enlist` and `track`
   * enlist and return the view instead of the shared object.
   */
  forUnitOfWork?(): UnitOfWorkParticipant;
}

/** Where a unit of work writes the events of a committing command (the transactional outbox). */
export interface EventSink {
  write(events: readonly AnyDomainEvent[], context: UnitOfWorkContext): Promise<void>;
  /**
   * Takes back what `write` stored, when the unit of work then rolls back. Only for a sink outside
   * the unit of work's transaction (the in-memory outbox); a sink that writes in the transaction
   * leaves it out, the rollback undoes its write.
   */
  retract?(events: readonly AnyDomainEvent[], context: UnitOfWorkContext): Promise<void>;
}

/** Lifecycle state of a unit of work. */
export type UnitOfWorkStatus = 'idle' | 'active' | 'committed' | 'rolledBack';

/** What happened to a unit of work, as told to completion hooks. */
export type UnitOfWorkOutcome = 'committed' | 'rolledBack';

/**
 * One business transaction, owned by the command bus: `begin`, then the handler's work, then
 * exactly one of `commit` or `rollback`. Handlers never commit or roll back.
 *
 * The commit chain is: participants flush → events are pulled and stamped with the command's
 * correlation and causation ids → outbox write → before-commit hooks → storage commit → after-
 * commit hooks → completion hooks.
 */
export interface UnitOfWork {
  readonly status: UnitOfWorkStatus;
  readonly context: UnitOfWorkContext;
  /** Starts the unit of work (opens a transaction in a storage-backed implementation). */
  begin(context: UnitOfWorkContext): Promise<void>;
  /** Adds a participant to the commit chain and returns it. */
  enlist<TParticipant extends UnitOfWorkParticipant>(participant: TParticipant): TParticipant;
  /** Runs `hook` inside the transaction, after the outbox write, just before the storage commit. */
  onBeforeCommit(hook: (events: readonly AnyDomainEvent[]) => Promise<void> | void): void;
  /** Runs `hook` after a successful commit. A failing hook is reported, not rolled back. */
  onAfterCommit(hook: (events: readonly AnyDomainEvent[]) => Promise<void> | void): void;
  /** Runs `hook` once the unit of work has committed or rolled back (release locks here). */
  onCompletion(hook: (outcome: UnitOfWorkOutcome) => Promise<void> | void): void;
  /** Runs the commit chain. */
  commit(): Promise<void>;
  /** Undoes everything; runs at most once, and never after a commit. */
  rollback(): Promise<void>;
  /** The stamped events of the committed work (empty before commit). */
  collectEvents(): readonly AnyDomainEvent[];
}
