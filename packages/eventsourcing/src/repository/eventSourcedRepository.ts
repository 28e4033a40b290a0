import type { UnitOfWorkContext, UnitOfWorkParticipant } from '@pd/cqrs';
import {
  type AnyDomainEvent,
  type Clock,
  isPdError,
  type Repository,
  type SaveOptions,
  type UpcastHook,
} from '@pd/ddd';
import {
  type AnyEventSourcedAggregate,
  aggregateIdKey,
  restoreFromSnapshot,
} from '../aggregate/eventSourcedAggregateRoot.js';
import { EventSerializer } from '../serialization/eventSerializer.js';
import type { EventTypeMap } from '../serialization/eventTypeMap.js';
import type {
  Snapshot,
  SnapshotPolicy,
  SnapshotSchemaPolicy,
  SnapshotStore,
} from '../snapshot/snapshot.js';
import type { EventStore, StreamSlice } from '../store/eventStore.js';

/**
 * What a repository needs of an event-sourced aggregate class (any class built with
 * `EventSourcedAggregateRoot` fits): a constructor from an id, the type name, the snapshot schema
 * version and the declared event types.
 */
export interface EventSourcedAggregateType<
  TAggregate extends AnyEventSourcedAggregate = AnyEventSourcedAggregate,
  TId = TAggregate['id'],
> {
  new (input: { readonly id: TId }): TAggregate;
  readonly typeName: string;
  readonly snapshotSchemaVersion: number;
  readonly eventTypes: EventTypeMap;
}

/**
 * The error code with which a {@link SnapshotSchemaPolicy} rejects a snapshot and fails the load
 * (`@pd/advanced`'s `StaleSnapshotError` carries it). Matched by code, like every pd error, so the
 * repository needs nothing from the package that defines the error.
 */
const SNAPSHOT_REJECTED_CODE = 'STALE_SNAPSHOT';

/** Where a snapshot failure happened (see {@link EventSourcedRepositoryOptions.onSnapshotError}). */
export interface SnapshotErrorContext {
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** `'load'`: reading, judging or restoring a snapshot failed (the repository replayed instead). `'save'`: deciding or writing one failed. */
  readonly phase: 'load' | 'save';
}

/** Options of {@link EventSourcedRepository}. */
export interface EventSourcedRepositoryOptions<TId> {
  /** Where snapshots are read and written. Without it, every load replays the whole stream. */
  readonly snapshotStore?: SnapshotStore;
  /** Decides, per save, whether to write a snapshot. Without it, none is written. */
  readonly snapshotPolicy?: SnapshotPolicy;
  /**
   * Decides whether a loaded snapshot may be used (default: any snapshot of a matching schema
   * version is used). `false` ignores it: the stream is replayed in full. Throwing a pd error with
   * code `'STALE_SNAPSHOT'` (such as `StaleSnapshotError` of `@pd/advanced`) fails `getById` with
   * that error, for when a full replay is not acceptable; any other error it throws is reported to
   * {@link EventSourcedRepositoryOptions.onSnapshotError} and the stream is replayed.
   */
  readonly snapshotSchemaPolicy?: SnapshotSchemaPolicy;
  /** Upgrades stored events of older schema versions before they are validated and replayed. */
  readonly upcaster?: UpcastHook;
  /** Clock for snapshot timestamps. Default: the domain defaults. */
  readonly clock?: Clock;
  /**
   * Receives snapshot failures. Snapshots are an optimisation: a failing snapshot store, a
   * snapshot that cannot be restored or a failing policy never fails a load or a command (the
   * only exception is a deliberate rejection by {@link EventSourcedRepositoryOptions.snapshotSchemaPolicy}, which reaches the
   * caller and is not reported here). Default: a process warning.
   */
  readonly onSnapshotError?: (error: unknown, context: SnapshotErrorContext) => void;
  /** The stream id of an aggregate id. Default: `<typeName>-<id>`, so the stream category is the type name. */
  readonly streamIdOf?: (id: TId) => string;
}

type Staged<TAggregate> =
  | {
      readonly kind: 'append';
      readonly aggregate: TAggregate;
      readonly streamId: string;
      readonly expectedVersion: number;
      readonly events: AnyDomainEvent[];
      readonly commandId: string | undefined;
      snapshot: Snapshot | undefined;
    }
  | { readonly kind: 'delete'; readonly streamId: string; readonly aggregateId: string };

const NO_CONTEXT: UnitOfWorkContext = { commandId: null, correlationId: null, causationId: null };

/**
 * Loads event-sourced aggregates by replaying their stream (from a snapshot when one is usable)
 * and saves them by appending their new events — at unit-of-work commit, not inside the handler.
 *
 * `save` and `delete` only stage work; {@link flush} (called by the unit of work at commit, with
 * the command id, correlation and causation ids) appends with `expectedVersion = version − new
 * events` and the command id, so a handler that throws after saving persists nothing, and a
 * repeated command id is rejected by the store (`DuplicateCommandError`). After a successful
 * append the events are handed to the unit of work ({@link pullEvents}) and, if the policy says
 * so, a snapshot is written (best-effort). When an append fails, the events drained from the
 * aggregate are dropped with the failed command: reload and retry.
 *
 * Create one repository per unit of work (in the `uow` factory): it holds the staged work of one
 * command. A repository shared by units of work that overlap is safe too: a unit of work that
 * finds it in use gets a fresh one ({@link forUnitOfWork}); use what `track` returns. Outside a unit of work,
 * call `await repository.flush()` yourself.
 *
 * A deleted (tombstoned) stream loads as `undefined`, like a missing one.
 *
 * @example
 * class ShopUnitOfWork extends InMemoryUnitOfWork {
 *   readonly accounts = this.track(new EventSourcedRepository(store, Account));
 * }
 * bus.register(OpenAccount, async (cmd, uow) => {
 *   const account = Account.open(cmd.owner);
 *   await uow.accounts.save(account); // appended at commit, with cmd.commandId
 *   return { accountId: account.id };
 * }, { uow: () => new ShopUnitOfWork() });
 */
export class EventSourcedRepository<
  TAggregate extends AnyEventSourcedAggregate,
  TId = TAggregate['id'],
> implements Repository<TAggregate, TId>, UnitOfWorkParticipant
{
  /** The aggregate's type name: the key of its snapshots and the category of its streams. */
  readonly aggregateType: string;
  readonly #store: EventStore;
  readonly #Aggregate: EventSourcedAggregateType<TAggregate, TId>;
  readonly #options: EventSourcedRepositoryOptions<TId>;
  readonly #serializer: EventSerializer;
  readonly #lastSnapshotVersion = new WeakMap<object, number>();
  #staged: Staged<TAggregate>[] = [];
  #appended: AnyDomainEvent[] = [];
  #snapshotsDue: { aggregate: TAggregate; snapshot: Snapshot }[] = [];
  /** Set while a unit of work that enlisted this instance has not finished (see {@link forUnitOfWork}). */
  #inUse = false;

  constructor(
    store: EventStore,
    aggregateClass: EventSourcedAggregateType<TAggregate, TId>,
    options: EventSourcedRepositoryOptions<TId> = {},
  ) {
    this.#store = store;
    this.#Aggregate = aggregateClass;
    this.#options = options;
    this.aggregateType = aggregateClass.typeName;
    this.#serializer = new EventSerializer(aggregateClass.eventTypes, {
      reader: aggregateClass.typeName,
      ...(options.upcaster === undefined ? {} : { upcaster: options.upcaster }),
    });
  }

  /**
   * What a unit of work enlists (`@pd/cqrs` calls it from `track`/`enlist`): this repository when
   * no other unfinished unit of work uses it, otherwise a fresh one over the same store and
   * options. So a repository shared by units of work that overlap (one created once, outside the
   * `uow` factory) still stages each command's work apart, while one used by a unit of work at a
   * time, or created per unit of work, is used as it is. It is free again once its unit of work
   * commits (`afterCommit`) or rolls back (`discardEvents`).
   */
  forUnitOfWork(): EventSourcedRepository<TAggregate, TId> {
    if (!this.#inUse) {
      this.#inUse = true;
      return this;
    }
    return new EventSourcedRepository(this.#store, this.#Aggregate, this.#options);
  }

  /** The stream id of an aggregate id (default `<typeName>-<id>`). */
  streamIdOf(id: TId): string {
    return this.#options.streamIdOf?.(id) ?? `${this.aggregateType}-${aggregateIdKey(id)}`;
  }

  /**
   * Stages the aggregate's new events for the next {@link flush}. Drains them from the aggregate
   * now; an aggregate with no new events stages nothing. The expected version is the aggregate's
   * version minus its new events. `options.commandId` overrides the unit of work's command id.
   */
  async save(aggregate: TAggregate, options: SaveOptions = {}): Promise<void> {
    const events = aggregate.pullEvents();
    if (events.length === 0) return;
    const streamId = this.streamIdOf(aggregate.id as TId);
    const expectedVersion = aggregate.version - events.length;
    const last = this.#staged.at(-1);
    let entry: Extract<Staged<TAggregate>, { kind: 'append' }>;
    if (
      last?.kind === 'append' &&
      last.aggregate === aggregate &&
      last.commandId === options.commandId &&
      last.expectedVersion + last.events.length === expectedVersion
    ) {
      // A second save of the same aggregate joins the first: one atomic append.
      last.events.push(...events);
      entry = last;
    } else {
      entry = {
        kind: 'append',
        aggregate,
        streamId,
        expectedVersion,
        events,
        commandId: options.commandId,
        snapshot: undefined,
      };
      this.#staged.push(entry);
    }
    entry.snapshot = this.#snapshotIfDue(aggregate, entry.events.length);
  }

  /**
   * Stages a tombstone for the aggregate's stream (and the removal of its snapshot) for the next
   * {@link flush}. Deleting a missing aggregate is not an error.
   */
  async delete(id: TId): Promise<void> {
    this.#staged.push({
      kind: 'delete',
      streamId: this.streamIdOf(id),
      aggregateId: aggregateIdKey(id),
    });
  }

  /**
   * Writes the staged work in order: appends (with the context's command id and tracing ids) and
   * tombstones, then best-effort snapshots. Called by the unit of work at commit. If an append
   * fails, the rest of the staged work is dropped and the error propagates.
   */
  async flush(context: UnitOfWorkContext = NO_CONTEXT): Promise<void> {
    const staged = this.#staged;
    this.#staged = [];
    for (const entry of staged) {
      if (entry.kind === 'delete') {
        await this.#tombstone(entry.streamId, entry.aggregateId);
        continue;
      }
      const events = entry.events.map((event) => stampEvent(event, context));
      await this.#store.appendToStream(entry.streamId, events, {
        expectedVersion: entry.expectedVersion,
        commandId: entry.commandId ?? context.commandId,
      });
      this.#appended.push(...events);
      if (entry.snapshot !== undefined)
        this.#snapshotsDue.push({ aggregate: entry.aggregate, snapshot: entry.snapshot });
    }
  }

  /**
   * Writes the snapshots that became due in {@link flush}, best-effort. The unit of work calls it
   * after the storage commit, so a rolled-back command never leaves a snapshot behind. Call it
   * yourself after `flush` when using the repository without a unit of work.
   */
  async afterCommit(_context?: UnitOfWorkContext): Promise<void> {
    this.#inUse = false;
    const due = this.#snapshotsDue;
    this.#snapshotsDue = [];
    for (const { aggregate, snapshot } of due) await this.#writeSnapshot(aggregate, snapshot);
  }

  /** Drains the events appended by {@link flush} (the unit of work stamps and publishes them). */
  pullEvents(): AnyDomainEvent[] {
    const events = this.#appended;
    this.#appended = [];
    return events;
  }

  /** Drops staged work and appended-but-unpulled events (the unit of work rolled back). */
  discardEvents(): void {
    this.#inUse = false;
    this.#staged = [];
    this.#appended = [];
    this.#snapshotsDue = [];
  }

  /**
   * Loads the aggregate: from a usable snapshot plus the events after it, else by replaying the
   * whole stream. `undefined` when the stream does not exist or was deleted. Events are upcast,
   * validated once, and applied; an event type the aggregate does not declare throws
   * `UnknownEventTypeError`. A snapshot that is rejected by the schema policy's `'STALE_SNAPSHOT'`
   * error fails the load with it; any other snapshot problem only costs a full replay.
   */
  async getById(id: TId): Promise<TAggregate | undefined> {
    const streamId = this.streamIdOf(id);
    let aggregate = await this.#loadSnapshot(id);
    let slice = await this.#read(streamId, aggregate?.version ?? 0);
    if (slice === undefined) return undefined;
    if (aggregate !== undefined && slice.version < aggregate.version) {
      // A snapshot ahead of its stream (written by work that was rolled back) is not trustworthy.
      aggregate = undefined;
      slice = await this.#read(streamId, 0);
      if (slice === undefined) return undefined;
    }
    // Only a snapshot actually used counts as the last one taken: one that was ignored must be
    // replaced as soon as the policy would snapshot a stream that has none.
    const snapshotVersion = aggregate?.version ?? 0;
    aggregate ??= new this.#Aggregate({ id });
    const events = slice.events.map((stored) => this.#serializer.deserialize(stored));
    aggregate.replay(events);
    this.#lastSnapshotVersion.set(aggregate, snapshotVersion);
    return aggregate;
  }

  async #read(streamId: string, fromVersion: number): Promise<StreamSlice | undefined> {
    try {
      return await this.#store.readStream(streamId, { fromVersion });
    } catch (error) {
      if (isPdError(error, 'STREAM_NOT_FOUND') || isPdError(error, 'STREAM_DELETED'))
        return undefined;
      throw error;
    }
  }

  /** The aggregate restored from its snapshot, or `undefined` when there is none to use. */
  async #loadSnapshot(id: TId): Promise<TAggregate | undefined> {
    const store = this.#options.snapshotStore;
    if (store === undefined) return undefined;
    const aggregateId = aggregateIdKey(id);
    try {
      const snapshot = await store.get(this.aggregateType, aggregateId);
      if (snapshot === undefined || !this.#isUsable(snapshot)) return undefined;
      return restoreFromSnapshot(
        this.#Aggregate as unknown as new (
          input: unknown,
        ) => TAggregate,
        snapshot,
        id,
      );
    } catch (error) {
      if (error instanceof SnapshotRejected) throw error.cause;
      this.#reportSnapshotError(error, aggregateId, 'load');
      return undefined;
    }
  }

  #isUsable(snapshot: Snapshot): boolean {
    const expected = this.#Aggregate.snapshotSchemaVersion;
    const policy = this.#options.snapshotSchemaPolicy;
    if (policy === undefined) return snapshot.schemaVersion === expected;
    try {
      return policy.shouldUseSnapshot(snapshot, expected);
    } catch (error) {
      // Only the policy may fail the load, and only on purpose: the same code thrown by a
      // snapshot store or while restoring stays a best-effort failure.
      if (isPdError(error, SNAPSHOT_REJECTED_CODE)) throw new SnapshotRejected(error);
      throw error;
    }
  }

  #snapshotIfDue(aggregate: TAggregate, newEvents: number): Snapshot | undefined {
    const { snapshotStore, snapshotPolicy } = this.#options;
    if (snapshotStore === undefined || snapshotPolicy === undefined) return undefined;
    const aggregateId = aggregateIdKey(aggregate.id);
    try {
      const due = snapshotPolicy.shouldSnapshot({
        aggregateType: this.aggregateType,
        aggregateId,
        version: aggregate.version,
        newEvents,
        lastSnapshotVersion: this.#lastSnapshotVersion.get(aggregate) ?? 0,
      });
      return due
        ? aggregate.toSnapshot(
            this.#options.clock === undefined ? {} : { clock: this.#options.clock },
          )
        : undefined;
    } catch (error) {
      this.#reportSnapshotError(error, aggregateId, 'save');
      return undefined;
    }
  }

  async #writeSnapshot(aggregate: TAggregate, snapshot: Snapshot): Promise<void> {
    try {
      await this.#options.snapshotStore?.save(snapshot);
      this.#lastSnapshotVersion.set(aggregate, snapshot.version);
    } catch (error) {
      this.#reportSnapshotError(error, snapshot.aggregateId, 'save');
    }
  }

  async #tombstone(streamId: string, aggregateId: string): Promise<void> {
    try {
      await this.#store.deleteStream(streamId);
    } catch (error) {
      if (!isPdError(error, 'STREAM_NOT_FOUND')) throw error;
    }
    try {
      await this.#options.snapshotStore?.delete?.(this.aggregateType, aggregateId);
    } catch (error) {
      this.#reportSnapshotError(error, aggregateId, 'save');
    }
  }

  #reportSnapshotError(error: unknown, aggregateId: string, phase: 'load' | 'save'): void {
    const context = { aggregateType: this.aggregateType, aggregateId, phase };
    if (this.#options.onSnapshotError) this.#options.onSnapshotError(error, context);
    else
      process.emitWarning(
        `pd: snapshot ${phase} failed for ${this.aggregateType} ${aggregateId}: ${String(error)}`,
      );
  }
}

/** Carries a schema policy's rejection past the best-effort handling of snapshot errors. */
class SnapshotRejected {
  constructor(readonly cause: unknown) {}
}

function stampEvent(event: AnyDomainEvent, context: UnitOfWorkContext): AnyDomainEvent {
  const correlationId = event.correlationId ?? context.correlationId;
  const causationId = event.causationId ?? context.causationId;
  if (correlationId === event.correlationId && causationId === event.causationId) return event;
  return event.stamp({ correlationId, causationId });
}
