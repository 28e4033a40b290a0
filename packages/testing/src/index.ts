/**
 * `@pd/testing` — test kit for pd: recording fakes of every contract, given/when/then
 * specifications for aggregates, command handlers and projections, and runner-agnostic contract
 * suites that any store — ours or yours — runs to prove it conforms. Assertions throw
 * `node:assert`'s `AssertionError`, so everything works under vitest, jest and `node:test`.
 * A dev dependency: runtime code never imports it.
 *
 * @packageDocumentation
 */
export type { EventShape, ExpectedEvent } from './assert/expectEvents.js';
export type { ErrorExpectation } from './assert/failure.js';
export { checkpointStoreContract } from './contracts/checkpointStoreContract.js';
export {
  type ContractCase,
  type ContractReport,
  type ContractRunner,
  type ContractSuite,
  type FixtureContext,
  registerContract,
  runContract,
  type StoreFactory,
} from './contracts/contract.js';
export {
  type EventStoreContractOptions,
  eventStoreContract,
} from './contracts/eventStoreContract.js';
export {
  type LockProviderContractOptions,
  lockProviderContract,
} from './contracts/lockProviderContract.js';
export {
  OUTBOX_CONTRACT_EPOCH,
  type OutboxContractOptions,
  type OutboxFixtureContext,
  outboxContract,
} from './contracts/outboxContract.js';
export {
  type ProcessedCommandStoreContractOptions,
  processedCommandStoreContract,
} from './contracts/processedCommandStoreContract.js';
export { projectionStoreContract } from './contracts/projectionStoreContract.js';
export {
  ContractCart,
  ContractCartChanged,
  cartFixture,
  type RepositoryContractFixture,
  repositoryContract,
} from './contracts/repositoryContract.js';
export {
  type SagaRepositoryContractOptions,
  sagaRepositoryContract,
} from './contracts/sagaRepositoryContract.js';
export { snapshotStoreContract } from './contracts/snapshotStoreContract.js';
export { FakeCheckpointStore, type RecordedCheckpoint } from './fakes/fakeCheckpointStore.js';
export { FakeEventStore, type RecordedAppend } from './fakes/fakeEventStore.js';
export { FakeLockProvider, type LockEvent } from './fakes/fakeLockProvider.js';
export { FakeMessageSubscriber, type RecordedDelivery } from './fakes/fakeMessageSubscriber.js';
export { FakeOutbox } from './fakes/fakeOutbox.js';
export {
  FakeProcessedCommandStore,
  type ProcessedCommandCall,
} from './fakes/fakeProcessedCommandStore.js';
export { FakeProjectionStore, type RecordedProjectionSave } from './fakes/fakeProjectionStore.js';
export { FakeRepository, type RecordedSave } from './fakes/fakeRepository.js';
export { FakeSagaRepository, type RecordedSagaSave } from './fakes/fakeSagaRepository.js';
export { FakeSnapshotStore } from './fakes/fakeSnapshotStore.js';
export { FakeUnitOfWork, type FakeUnitOfWorkOptions } from './fakes/fakeUnitOfWork.js';
export {
  type AggregateClass,
  type AggregateGiven,
  type AggregateSpecOptions,
  type AggregateWhen,
  aggregateSpec,
  type StateExpectation,
} from './specs/aggregateSpec.js';
export { type CommandGiven, type CommandWhen, commandSpec } from './specs/commandSpec.js';
export {
  type AnyProjection,
  type ProjectionGiven,
  projectionSpec,
  type StateOf,
  type StoredEventProjection,
} from './specs/projectionSpec.js';
export {
  type ExpectedCommand,
  type SagaGiven,
  type SagaOutcome,
  type SagaSpecOptions,
  type SagaWhen,
  sagaSpec,
} from './specs/sagaSpec.js';
