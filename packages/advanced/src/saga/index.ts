/**
 * `@pd/advanced/saga` — long-running processes for pd: a declarative saga DSL, LIFO compensation,
 * suspend / resume with timeouts, crash recovery, processed-event idempotency, history pruning,
 * retention of finished sagas, and the workers that drive timeouts, recovery and retention. Depends only on `@pd/ddd`, `@pd/cqrs` and
 * (for the worker contract) `@pd/bus` — no event sourcing required.
 *
 * @packageDocumentation
 */
export {
  type CommandRebuildResult,
  CommandTypeRegistry,
  type StoredCommandClass,
} from './commandTypeRegistry.js';
export { InMemorySagaRepository } from './inMemorySagaRepository.js';
export {
  type AnySaga,
  type FromEvent,
  Saga,
  type SagaClass,
  type SagaEventClass,
  type SagaEventHandler,
  type SagaStepOptions,
  type SagaTimeout,
  USE_DEFAULT_TIMEOUT,
} from './saga.js';
export {
  SagaConfigurationError,
  SagaError,
  type SagaErrorCode,
  type SagaFailure,
  SagaHandlerNotFoundError,
  SagaProcessingError,
  SagaStateError,
} from './sagaErrors.js';
export { InProcessSagaLock, type SagaLock } from './sagaLock.js';
export { ConsoleSagaLogger, type SagaLogger } from './sagaLogger.js';
export {
  type SagaBatchResult,
  type SagaErrorPolicy,
  type SagaEventSource,
  SagaManager,
  type SagaManagerOptions,
  type SagaPruneResult,
} from './sagaManager.js';
export type { SagaWorkerOptions } from './sagaPollingWorker.js';
export {
  type PrunableSagaState,
  type SagaPruningPolicy,
  type StepThresholdPruningOptions,
  StepThresholdPruningPolicy,
} from './sagaPruningPolicy.js';
export type {
  CompensationRecord,
  FailedCompensation,
  PendingCommand,
  StepRecord,
} from './sagaRecords.js';
export { SagaRecoveryWorker } from './sagaRecoveryWorker.js';
export { type RegisterSagaOptions, SagaRegistry, type SagaRegistryWarn } from './sagaRegistry.js';
export {
  type AnySagaState,
  canRemoveFinishedSagas,
  type RemovingSagaRepository,
  type SagaRepository,
  type SagaSaveOptions,
  type StoredSagaRef,
} from './sagaRepository.js';
export {
  type FinishedSagaCutoffs,
  KeepForeverRetentionPolicy,
  type MaxAgeRetentionOptions,
  MaxAgeRetentionPolicy,
  type SagaRetentionPolicy,
} from './sagaRetentionPolicy.js';
export { SagaRetentionWorker } from './sagaRetentionWorker.js';
export {
  SagaState,
  type SagaStateInit,
  type SagaStateJSON,
  type SagaStateOptions,
} from './sagaState.js';
export {
  isTerminalStatus,
  SAGA_STATUSES,
  SagaStatus,
  type TerminalSagaStatus,
} from './sagaStatus.js';
export { SagaTimeoutWorker } from './sagaTimeoutWorker.js';
