import { PGlite } from '@electric-sql/pglite';
// Every @pd/testing contract suite against the PostgreSQL stores: on PGlite always, and on the
// server when PD_POSTGRES_URL is set. One file, so PGlite starts once; each case gets a fresh,
// migrated schema that its teardown drops.
import {
  PostgresCheckpointStore,
  PostgresEventStore,
  PostgresLockProvider,
  PostgresOutbox,
  PostgresProcessedCommandStore,
  PostgresSagaRepository,
  PostgresSnapshotStore,
  type SqlExecutor,
} from '@pd/postgres';
import {
  checkpointStoreContract,
  eventStoreContract,
  type FixtureContext,
  lockProviderContract,
  outboxContract,
  processedCommandStoreContract,
  registerContract,
  sagaRepositoryContract,
  snapshotStoreContract,
} from '@pd/testing';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { backends, freshSchema, randomSchema } from './testSupport/backends.js';

describe.each(backends('the @pd/testing contract suites', (options) => PGlite.create(options)))(
  '@pd/testing contracts on $name',
  (backend) => {
    let db: SqlExecutor;
    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(() => backend.close());

    /** A freshly migrated schema for one contract case, dropped when the case ends. */
    const schemaFor = async ({ onTeardown }: FixtureContext): Promise<string> => {
      const { schema, drop } = await freshSchema(db);
      onTeardown(drop);
      return schema;
    };
    const runner = { describe, it };

    registerContract(
      eventStoreContract(
        async (ctx) => new PostgresEventStore(db, { schema: await schemaFor(ctx) }),
      ),
      runner,
    );
    registerContract(
      snapshotStoreContract(
        async (ctx) => new PostgresSnapshotStore(db, { schema: await schemaFor(ctx) }),
      ),
      runner,
    );
    registerContract(
      checkpointStoreContract(
        async (ctx) => new PostgresCheckpointStore(db, { schema: await schemaFor(ctx) }),
      ),
      runner,
    );
    registerContract(
      processedCommandStoreContract(
        async (ctx) => new PostgresProcessedCommandStore(db, { schema: await schemaFor(ctx) }),
      ),
      runner,
    );
    // On PGlite (one connection in this process) PostgresLockProvider is its in-process fallback,
    // which is what the suite checks there; the server run exercises the advisory locks, one
    // pooled connection per held key. Lock keys are only namespaced by the schema name: no tables.
    registerContract(
      lockProviderContract(({ onTeardown }) => {
        const locks = new PostgresLockProvider(db, { schema: randomSchema('lk') });
        onTeardown(() => locks.releaseAll());
        return locks;
      }),
      runner,
    );
    registerContract(
      outboxContract(
        async (ctx) =>
          new PostgresOutbox(db, {
            schema: await schemaFor(ctx),
            leaseMs: ctx.leaseMs,
            clock: ctx.clock,
          }),
      ),
      runner,
    );
    registerContract(
      sagaRepositoryContract(
        async (ctx) => new PostgresSagaRepository(db, { schema: await schemaFor(ctx) }),
      ),
      runner,
    );
  },
);
