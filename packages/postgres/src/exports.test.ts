import { expect, it } from 'vitest';

it('pins the runtime export list of @pd/postgres', async () => {
  expect(Object.keys(await import('@pd/postgres')).sort()).toEqual([
    'DEFAULT_SCHEMA',
    'LATEST_SCHEMA_VERSION',
    'POSTGRES_URL_ENV',
    'PostgresCheckpointStore',
    'PostgresConfigError',
    'PostgresEventNotifier',
    'PostgresEventStore',
    'PostgresLockProvider',
    'PostgresOutbox',
    'PostgresProcessedCommandStore',
    'PostgresSagaRepository',
    'PostgresSnapshotStore',
    'PostgresUnitOfWork',
    'SCHEMA_NAME_PATTERN',
    'TransactionAbortedError',
    'assertSchemaName',
    'connect',
    'eventsChannel',
    'fromPGlite',
    'fromPgPool',
    'lockInTransaction',
    'migrate',
    'runCli',
  ]);
});
