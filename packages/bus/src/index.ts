/**
 * `@pd/bus` — level 3 of pd: the {@link MessageBus} facade (commands, queries, events with an
 * explicit error policy), exact-type routing, the event registry, the transactional outbox and
 * its relay, broker and subscriber contracts with in-memory implementations, the inbound gateway,
 * and the application composition root that owns background workers.
 *
 * @packageDocumentation
 */
export { Application, type ApplicationOptions, type ApplicationState } from './app/application.js';
export { type BootstrapOptions, bootstrap } from './app/bootstrap.js';
export { PollingWorker, type PollingWorkerOptions } from './app/pollingWorker.js';
export type { Lifecycle, Worker } from './app/worker.js';
export { InMemoryMessageBroker, type PublishedMessage } from './broker/inMemoryMessageBroker.js';
export {
  type DeliveryOutcome,
  InMemoryMessageSubscriber,
} from './broker/inMemoryMessageSubscriber.js';
export type { MessageBroker } from './broker/messageBroker.js';
export type {
  DeliveryControl,
  InboundHandler,
  MessageSubscriber,
} from './broker/messageSubscriber.js';
export {
  deadLetter,
  type EventCollectPolicy,
  type EventDeadLetterPolicy,
  type EventErrorPolicy,
  type EventLogPolicy,
  type EventRetryOptions,
  type EventRetryPolicy,
  exponentialBackoff,
  retry,
  type TerminalEventErrorPolicy,
} from './bus/errorPolicy.js';
export { type EventHandlerOptions, MessageBus, type MessageBusOptions } from './bus/messageBus.js';
export {
  type DeadLetterRecord,
  type DeadLetterSink,
  type HandlerDeadLetter,
  type InboundDeadLetter,
  InMemoryDeadLetterSink,
  type OutboxDeadLetter,
} from './deadLetter/deadLetterSink.js';
export {
  ApplicationStoppedError,
  BusError,
  type BusErrorCode,
  DuplicateSubscriptionError,
  DuplicateTypeNameError,
  EventHandlingError,
  type HandlerFailure,
  NotStartedError,
  ShutdownError,
  type ShutdownFailure,
  UnknownTopicError,
  UnknownTypeNameError,
} from './errors/busErrors.js';
export {
  type InboundDispatcher,
  InboundEventGateway,
  type InboundEventGatewayOptions,
  type InboundIntegrationEventClass,
  type InboundTranslator,
} from './gateway/inboundEventGateway.js';
export { type BusLogger, ConsoleBusLogger } from './logging/logger.js';
export { InMemoryOutbox, type InMemoryOutboxOptions } from './outbox/inMemoryOutbox.js';
export { messageBusPublisher } from './outbox/messageBusPublisher.js';
export type { Outbox, OutboxRecord } from './outbox/outbox.js';
export {
  type OutboxPublisher,
  OutboxRelay,
  type OutboxRelayOptions,
  type RelayRoundResult,
} from './outbox/outboxRelay.js';
export {
  type CommandCatalogEntry,
  type EventCatalogEntry,
  EventRegistry,
  type EventRegistryOptions,
  type MessageCatalog,
  type RegistrableCommandClass,
  type RegistrableEventClass,
} from './registry/eventRegistry.js';
export { GenericDomainEvent } from './registry/genericDomainEvent.js';
export { type Sleep, timerSleep } from './time/sleep.js';
