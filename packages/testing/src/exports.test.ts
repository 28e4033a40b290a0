import { expect, it } from 'vitest';

// The public surface is deliberate: adding or removing a runtime export must show up here.
it('pins the runtime exports of @pd/testing', async () => {
  const names = Object.keys(await import('@pd/testing')).sort();
  expect(names).toEqual([
    'ContractCart',
    'ContractCartChanged',
    'FakeCheckpointStore',
    'FakeEventStore',
    'FakeLockProvider',
    'FakeMessageSubscriber',
    'FakeOutbox',
    'FakeProcessedCommandStore',
    'FakeProjectionStore',
    'FakeRepository',
    'FakeSagaRepository',
    'FakeSnapshotStore',
    'FakeUnitOfWork',
    'OUTBOX_CONTRACT_EPOCH',
    'aggregateSpec',
    'cartFixture',
    'checkpointStoreContract',
    'commandSpec',
    'eventStoreContract',
    'lockProviderContract',
    'outboxContract',
    'processedCommandStoreContract',
    'projectionSpec',
    'projectionStoreContract',
    'registerContract',
    'repositoryContract',
    'runContract',
    'sagaRepositoryContract',
    'sagaSpec',
    'snapshotStoreContract',
  ]);
});
