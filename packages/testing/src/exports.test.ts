import { expect, it } from 'vitest';

// The public surface is deliberate: adding or removing a runtime export must show up here.
it('pins the runtime exports of @pd/testing', async () => {
  const names = Object.keys(await import('@pd/testing')).sort();
  expect(names).toEqual([
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
    'checkpointStoreContract',
    'commandSpec',
    'eventStoreContract',
    'lockProviderContract',
    'outboxContract',
    'processedCommandStoreContract',
    'projectionSpec',
    'registerContract',
    'runContract',
    'sagaRepositoryContract',
    'sagaSpec',
    'snapshotStoreContract',
  ]);
});
