/**
 * `@pd/cqrs` — level 2 of pd: typed commands and queries, the command and query buses, pipeline
 * behaviours (logging, validation, idempotency, aggregate locking), retry on concurrency
 * conflicts, the unit of work the command bus owns, ambient correlation and causation, integration
 * events and the read-side contracts.
 *
 * @packageDocumentation
 */
export {
  AggregateLockingBehavior,
  type AggregateLockingOptions,
} from './behaviors/aggregateLockingBehavior.js';
export { IdempotencyBehavior } from './behaviors/idempotencyBehavior.js';
export {
  ConsoleLogger,
  type Logger,
  LoggingBehavior,
  type LoggingBehaviorOptions,
} from './behaviors/loggingBehavior.js';
export { type MessageValidator, ValidationBehavior } from './behaviors/validationBehavior.js';
export {
  CommandBus,
  type CommandBusOptions,
  type CommandRegistrationOptions,
} from './bus/commandBus.js';
export type {
  CommandDispatcher,
  CommandHandler,
  DispatchOutcome,
  EventHandler,
  QueryHandler,
} from './bus/handlers.js';
export { QueryBus, type QueryBusOptions, type QueryRegistrationOptions } from './bus/queryBus.js';
export {
  CommandExecutionError,
  CommandInFlightError,
  CqrsError,
  HandlerAlreadyRegisteredError,
  hasErrorCode,
  LockNotHeldError,
  LockTimeoutError,
  NoHandlerRegisteredError,
  UnitOfWorkStateError,
} from './errors/cqrsErrors.js';
export {
  type ClaimResult,
  type CompletedCommand,
  InMemoryProcessedCommandStore,
  type ProcessedCommandStore,
} from './idempotency/processedCommandStore.js';
export {
  type AnyIntegrationEvent,
  IntegrationEvent,
  IntegrationEventBase,
  type IntegrationEventClass,
  type IntegrationEventJSON,
  type IntegrationEventMetadataInput,
  type IntegrationEventOptions,
} from './integration/integrationEvent.js';
export { DictLockKeyResolver } from './locking/dictLockKeyResolver.js';
export {
  InMemoryLockProvider,
  type InMemoryLockProviderOptions,
} from './locking/inMemoryLockProvider.js';
export type { AcquireOptions, LockKeyResolver, LockProvider } from './locking/lockProvider.js';
export {
  type AnyCommand,
  type AnyCommandClass,
  type AnyQuery,
  type AnyQueryClass,
  Command,
  CommandBase,
  type CommandClass,
  type CommandJSON,
  type CommandMetadataInput,
  type CommandTracing,
  type MessageOptions,
  Query,
  QueryBase,
  type QueryClass,
  type QueryJSON,
  type QueryMetadataInput,
  RESULT,
  type ResultOf,
} from './messages/message.js';
export { type MessageClass, typeNameOf } from './messages/messageClass.js';
export { createMessageContext, type MessageContextInit } from './pipeline/messageContext.js';
export { MessagePipeline, type TerminalHandler } from './pipeline/messagePipeline.js';
export type {
  MessageContext,
  MessageKind,
  NextHandler,
  PipelineBehavior,
} from './pipeline/pipeline.js';
export type { Projection } from './readside/projection.js';
export { InMemoryProjectionStore, type ProjectionStore } from './readside/projectionStore.js';
export {
  type RetryOnConcurrencyOptions,
  type RetryPolicy,
  retryOnConcurrency,
} from './retry/retryPolicy.js';
export {
  currentMessageContext,
  type InheritedTracing,
  inheritedTracing,
  runInMessageContext,
} from './tracing/messageContextStorage.js';
export {
  AbstractUnitOfWork,
  InMemoryUnitOfWork,
  type UnitOfWorkOptions,
} from './uow/abstractUnitOfWork.js';
export type {
  EventSink,
  UnitOfWork,
  UnitOfWorkContext,
  UnitOfWorkOutcome,
  UnitOfWorkParticipant,
  UnitOfWorkStatus,
} from './uow/unitOfWork.js';
