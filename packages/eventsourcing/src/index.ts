/**
 * `@pd/eventsourcing` — level 4 of pd: event-sourced aggregates whose state changes only through
 * events, the event store contract and an in-memory store, a repository that appends at
 * unit-of-work commit (with snapshots), snapshot and checkpoint stores, and projections.
 *
 * @packageDocumentation
 */
export {
  type AnyEventSourcedAggregate,
  aggregateIdKey,
  type EventHandlers,
  EventSourcedAggregateRoot,
  EventSourcedAggregateRootBase,
  type EventSourcedAggregateRootClass,
  type EventSourcedAggregateRootOptions,
  type EventSourcedState,
  type StatePatch,
  type ToSnapshotOptions,
} from './aggregate/eventSourcedAggregateRoot.js';
export { InMemoryCheckpointStore } from './checkpoint/inMemoryCheckpointStore.js';
export {
  DuplicateCommandError,
  StateChangeOutsideEventError,
  StreamDeletedError,
  StreamNotFoundError,
  UnknownEventTypeError,
} from './errors/eventSourcingErrors.js';
export {
  EventSourcedProjection,
  EventSourcedProjectionBase,
  type EventSourcedProjectionClass,
  type EventSourcedProjectionOptions,
  type ProjectionHandlers,
  type ProjectionInstanceOptions,
} from './projection/eventSourcedProjection.js';
export {
  type EventSourcedAggregateType,
  EventSourcedRepository,
  type EventSourcedRepositoryOptions,
  type SnapshotErrorContext,
} from './repository/eventSourcedRepository.js';
export { EventSerializer, type EventSerializerOptions } from './serialization/eventSerializer.js';
export { type AnyEventClass, type EventOf, EventTypeMap } from './serialization/eventTypeMap.js';
export { InMemorySnapshotStore } from './snapshot/inMemorySnapshotStore.js';
export type {
  CheckpointStore,
  Snapshot,
  SnapshotPolicy,
  SnapshotSchemaPolicy,
  SnapshotStore,
} from './snapshot/snapshot.js';
export {
  type AppendableEvent,
  type AppendOptions,
  type AppendResult,
  type EventNotifier,
  type EventStore,
  ExpectedVersion,
  type GlobalSlice,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StoredEventMetadata,
  type StreamMetadata,
  type StreamSlice,
  streamCategoryOf,
} from './store/eventStore.js';
export {
  checkExpectedVersion,
  InMemoryEventStore,
  type InMemoryEventStoreOptions,
} from './store/inMemoryEventStore.js';
