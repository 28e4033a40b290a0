/**
 * `@pd/postgres` — PostgreSQL adapters for most pd persistence contracts, on a PostgreSQL server
 * (node-postgres) or embedded PGlite: one SQL executor abstraction, versioned migrations (function
 * and `pd-postgres migrate` CLI), a gap-safe event store with LISTEN/NOTIFY wake-ups, snapshot and
 * checkpoint stores, a unit of work over one transaction, a processed-command store, advisory
 * locks, a transactional outbox and a saga repository.
 *
 * @packageDocumentation
 */
export {
  type CheckpointCallOptions,
  PostgresCheckpointStore,
  type PostgresCheckpointStoreOptions,
} from './checkpoint/postgresCheckpointStore.js';
export { type CliIo, runCli } from './cli/runCli.js';
export { PostgresConfigError, TransactionAbortedError } from './errors/postgresErrors.js';
export {
  PostgresEventNotifier,
  type PostgresEventNotifierOptions,
} from './eventStore/postgresEventNotifier.js';
export {
  eventsChannel,
  PostgresEventStore,
  type PostgresEventStoreOptions,
} from './eventStore/postgresEventStore.js';
export { type ConnectOptions, connect, POSTGRES_URL_ENV } from './executor/connect.js';
export {
  type FromPgPoolOptions,
  fromPgPool,
  type PgPoolClientLike,
  type PgPoolLike,
  type PgQueryConfig,
} from './executor/pgExecutor.js';
export {
  type FromPGliteOptions,
  fromPGlite,
  type PGliteLike,
  type PGliteTransactionLike,
} from './executor/pgliteExecutor.js';
export type {
  QueryOptions,
  SqlExecutor,
  SqlQueryable,
  SqlTransaction,
} from './executor/sqlExecutor.js';
export {
  PostgresProcessedCommandStore,
  type PostgresProcessedCommandStoreOptions,
} from './idempotency/postgresProcessedCommandStore.js';
export {
  lockInTransaction,
  PostgresLockProvider,
  type PostgresLockProviderOptions,
} from './locking/postgresLockProvider.js';
export {
  LATEST_SCHEMA_VERSION,
  type MigrateOptions,
  type MigrateResult,
  migrate,
} from './migrations/migrate.js';
export { PostgresOutbox, type PostgresOutboxOptions } from './outbox/postgresOutbox.js';
export {
  PostgresSagaRepository,
  type PostgresSagaRepositoryOptions,
} from './saga/postgresSagaRepository.js';
export { assertSchemaName, DEFAULT_SCHEMA, SCHEMA_NAME_PATTERN } from './schema/identifier.js';
export {
  PostgresSnapshotStore,
  type PostgresSnapshotStoreOptions,
} from './snapshot/postgresSnapshotStore.js';
export { PostgresUnitOfWork, type PostgresUnitOfWorkOptions } from './uow/postgresUnitOfWork.js';
