export {
  AcceptOlderSnapshotPolicy,
  RejectStaleSnapshotPolicy,
  type SnapshotSchemaPolicyOptions,
  type StaleSnapshotAction,
} from './snapshot/snapshotSchemaPolicies.js';
export { SnapshotThresholdPolicy } from './snapshot/snapshotThresholdPolicy.js';
export { StaleSnapshotError } from './snapshot/staleSnapshotError.js';
export {
  type DeadLetterStore,
  InMemoryDeadLetterStore,
  type SubscriptionDeadLetter,
} from './subscription/deadLetterStore.js';
export type { PoisonEventPolicy } from './subscription/poisonEventPolicy.js';
export type {
  DeserializingSubscription,
  EventTypeFilter,
  FunctionSubscription,
  ProjectionSubscription,
  SubscribableProjection,
  SubscriptionContext,
  SubscriptionHandler,
  SubscriptionOptions,
} from './subscription/subscription.js';
export {
  DuplicateSubscriptionIdError,
  RebuildNotSupportedError,
  SubscriptionError,
  type SubscriptionErrorCode,
  SubscriptionHaltedError,
  UnknownSubscriptionError,
} from './subscription/subscriptionErrors.js';
export {
  type CatchUpReport,
  SubscriptionRunner,
  type SubscriptionRunnerOptions,
} from './subscription/subscriptionRunner.js';
export {
  type AnyEventUpcaster,
  defineUpcaster,
  type EventEnvelope,
  type EventPayload,
  type EventUpcaster,
  type UpcasterDefinition,
} from './upcasting/eventUpcaster.js';
export {
  UpcastError,
  UpcasterRegistrationError,
  type UpcasterRegistrationReason,
} from './upcasting/upcastError.js';
export {
  UpcasterRegistry,
  type UpcasterRegistryOptions,
  type VersionedEventType,
} from './upcasting/upcasterRegistry.js';
