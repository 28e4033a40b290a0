import { PGlite } from '@electric-sql/pglite';
// Tests of the stores besides the event store, on PGlite always and on the
// server when PD_POSTGRES_URL is set. One file, so PGlite starts once. The @pd/testing contract
// suites run in contracts.test.ts; these tests cover what is PostgreSQL-specific.
import { SagaState } from '@pd/advanced/saga';
import { OutboxRelay } from '@pd/bus';
import { FixedClock } from '@pd/ddd';
import { EventSourcedRepository } from '@pd/eventsourcing';
import {
  LATEST_SCHEMA_VERSION,
  migrate,
  PostgresCheckpointStore,
  PostgresEventStore,
  PostgresLockProvider,
  PostgresOutbox,
  PostgresProcessedCommandStore,
  PostgresSagaRepository,
  PostgresSnapshotStore,
  PostgresUnitOfWork,
  type SqlExecutor,
} from '@pd/postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backends, freshSchema, randomSchema } from './testSupport/backends.js';
import { Deposited, deposits, Tally } from './testSupport/events.js';
import { countWakeUps, waitFor } from './testSupport/wakeUps.js';

/** The element at `index`, or a test failure. */
function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no element ${index}`);
  return item;
}

describe.each(backends('the store contracts', (options) => PGlite.create(options)))(
  'PostgreSQL stores on $name',
  (backend) => {
    let db: SqlExecutor;
    let schema: string;
    let drop: () => Promise<void>;
    const clock = new FixedClock('2026-03-01T10:00:00.000Z');

    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(() => backend.close());
    beforeEach(async () => {
      ({ schema, drop } = await freshSchema(db));
    });
    afterEach(() => drop());

    describe('migrate', () => {
      it('is idempotent and records each version', async () => {
        expect(await migrate(db, { schema })).toEqual({
          schema,
          applied: [],
          version: LATEST_SCHEMA_VERSION,
        });
        const rows = await db.query<{ version: number }>(
          `SELECT version FROM "${schema}".pd_migrations ORDER BY 1`,
        );
        expect(rows.map((r) => r.version)).toEqual(
          Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1),
        );
      });

      it('rejects a hostile schema name before any SQL runs', async () => {
        let queries = 0;
        const spy: SqlExecutor = Object.create(db, {
          transaction: {
            value: async () => {
              queries += 1;
            },
          },
          query: {
            value: async () => {
              queries += 1;
              return [];
            },
          },
        });
        await expect(
          migrate(spy, { schema: 'x; drop schema public cascade' }),
        ).rejects.toMatchObject({
          code: 'VALIDATION',
          field: 'schema',
        });
        await expect(migrate(spy, { schema: 'Upper' })).rejects.toMatchObject({
          code: 'VALIDATION',
        });
        await expect(migrate(spy, { schema: 'pg_catalog' })).rejects.toMatchObject({
          code: 'VALIDATION',
        });
        expect(queries).toBe(0);
      });

      it('upgrades a schema from an older version, keeping its data', async () => {
        // As a schema migrated by the release before the saga table (version 2) looks.
        await db.query(`DROP TABLE "${schema}".sagas`);
        await db.query(`DELETE FROM "${schema}".pd_migrations WHERE version = 3`);
        await new PostgresCheckpointStore(db, { schema, clock }).save('projection', 42);
        expect(await migrate(db, { schema })).toEqual({
          schema,
          applied: [3],
          version: LATEST_SCHEMA_VERSION,
        });
        expect(await new PostgresCheckpointStore(db, { schema }).load('projection')).toBe(42);
        const saga = SagaState.create({ sagaType: 'Billing', correlationId: 'o-1' });
        await new PostgresSagaRepository(db, { schema }).save(saga);
        expect(saga.version).toBe(1);
      });

      it('creates a schema that does not exist yet', async () => {
        const other = randomSchema('m');
        try {
          expect((await migrate(db, { schema: other })).applied).toEqual([1, 2, 3, 4]);
        } finally {
          await db.query(`DROP SCHEMA IF EXISTS "${other}" CASCADE`);
        }
      });
    });

    describe('PostgresSagaRepository', () => {
      const running = (correlationId: string): SagaState => {
        const state = SagaState.create(
          { sagaType: 'OrderFulfilment', correlationId },
          { clock: new FixedClock('2026-03-01T10:00:00.000Z') },
        );
        state.markRunning();
        return state;
      };
      const context = { commandId: 'cmd-1', correlationId: null, causationId: null };

      it('saves in the unit of work transaction: a rollback stores no saga', async () => {
        const sagas = new PostgresSagaRepository(db, { schema });
        const uow = new PostgresUnitOfWork(db, { schema, clock });
        await uow.begin(context);
        await uow.sagas.save(running('order-1'));
        // A repository on the plain executor joins the transaction during the commit chain.
        uow.onBeforeCommit(async () => {
          await sagas.save(running('order-2'));
          throw new Error('refused');
        });
        await expect(uow.commit()).rejects.toThrow('refused');
        await uow.rollback();
        expect(await sagas.findByCorrelationId('order-1', 'OrderFulfilment')).toBeUndefined();
        expect(await sagas.findByCorrelationId('order-2', 'OrderFulfilment')).toBeUndefined();
      });

      it('a conflict inside a unit of work is a ConcurrencyError and leaves the transaction usable', async () => {
        const sagas = new PostgresSagaRepository(db, { schema });
        const first = running('order-1');
        await sagas.save(first);
        const uow = new PostgresUnitOfWork(db, { schema, clock });
        await uow.begin(context);
        await expect(uow.sagas.save(running('order-1'))).rejects.toMatchObject({
          code: 'CONCURRENCY',
        });
        const stale = await uow.sagas.getById(first.id);
        if (stale === undefined) throw new Error('the saved saga is missing');
        await expect(uow.sagas.save(stale, { expectedVersion: 7 })).rejects.toMatchObject({
          code: 'CONCURRENCY',
          expectedVersion: 7,
          actualVersion: 1,
        });
        stale.suspend('waiting for payment', new Date('2026-03-01T11:00:00.000Z'));
        await uow.sagas.save(stale);
        await uow.commit();
        const [due] = await sagas.findExpiredSuspended(new Date('2026-03-01T11:00:00.000Z'));
        expect(due?.toJSON()).toEqual(stale.toJSON());
        expect(due?.version).toBe(2);
        // The indexed columns follow the state: resumed, it is no longer suspended.
        stale.resume();
        await sagas.save(stale);
        expect(await sagas.findSuspended()).toEqual([]);
      });
    });

    describe('PostgresSnapshotStore', () => {
      it('saves, replaces, reads and deletes the latest snapshot', async () => {
        const snapshots = new PostgresSnapshotStore(db, { schema });
        expect(await snapshots.get('Account', 'a-1')).toBeUndefined();
        const state = { balance: 10, owner: { name: 'O\'Brien "the" 🎉' }, tags: ['a', 'b'] };
        await snapshots.save({
          aggregateType: 'Account',
          aggregateId: 'a-1',
          version: 5,
          state,
          schemaVersion: 1,
          createdAt: '2026-01-01T00:00:00.000Z',
        });
        await snapshots.save({
          aggregateType: 'Account',
          aggregateId: 'a-1',
          version: 9,
          state: { balance: 20 },
          schemaVersion: 2,
          createdAt: '2026-01-02T00:00:00.000Z',
        });
        // An older snapshot arriving late does not replace a newer one.
        await snapshots.save({
          aggregateType: 'Account',
          aggregateId: 'a-1',
          version: 7,
          state: { balance: 15 },
          schemaVersion: 2,
          createdAt: '2026-01-03T00:00:00.000Z',
        });
        expect(await snapshots.get('Account', 'a-1')).toEqual({
          aggregateType: 'Account',
          aggregateId: 'a-1',
          version: 9,
          state: { balance: 20 },
          schemaVersion: 2,
          createdAt: '2026-01-02T00:00:00.000Z',
        });
        await snapshots.save({
          aggregateType: 'Other',
          aggregateId: 'a-1',
          version: 1,
          state,
          schemaVersion: 1,
          createdAt: '2026-01-01T00:00:00.000Z',
        });
        expect((await snapshots.get('Other', 'a-1'))?.state).toEqual(state);
        await snapshots.delete('Account', 'a-1');
        expect(await snapshots.get('Account', 'a-1')).toBeUndefined();
        await expect(snapshots.get('', 'x')).rejects.toMatchObject({
          code: 'VALIDATION',
          field: 'aggregateType',
        });
      });
    });

    describe('PostgresCheckpointStore', () => {
      it('loads 0, saves, overwrites and resets', async () => {
        const checkpoints = new PostgresCheckpointStore(db, { schema, clock });
        expect(await checkpoints.load('projection')).toBe(0);
        await checkpoints.save('projection', 41);
        await checkpoints.save('projection', 2 ** 40);
        expect(await checkpoints.load('projection')).toBe(2 ** 40);
        await checkpoints.reset('projection');
        expect(await checkpoints.load('projection')).toBe(0);
        await expect(checkpoints.save('projection', -1)).rejects.toMatchObject({
          code: 'VALIDATION',
          field: 'position',
        });
      });

      it('commits a checkpoint together with the projection writes of the same transaction', async () => {
        const checkpoints = new PostgresCheckpointStore(db, { schema, clock });
        await db.query(`CREATE TABLE "${schema}".totals (id text PRIMARY KEY, total int)`);
        await expect(
          db.transaction(async (tx) => {
            await tx.query(`INSERT INTO "${schema}".totals VALUES ('a', 10)`);
            await checkpoints.save('totals', 7, { tx });
            throw new Error('projection crashed');
          }),
        ).rejects.toThrow('projection crashed');
        expect(await checkpoints.load('totals')).toBe(0);
        expect(await db.query(`SELECT * FROM "${schema}".totals`)).toEqual([]);
        await db.transaction(async (tx) => {
          await tx.query(`INSERT INTO "${schema}".totals VALUES ('a', 10)`);
          await checkpoints.save('totals', 7, { tx });
        });
        expect(await checkpoints.load('totals')).toBe(7);
      });
    });

    describe('PostgresProcessedCommandStore', () => {
      it('claims once, reports in-flight duplicates, completes and releases', async () => {
        const store = new PostgresProcessedCommandStore(db, { schema, clock });
        expect(await store.claim('c-1')).toBe('claimed');
        expect(await store.claim('c-1')).toBe('in-flight');
        expect(await store.contains('c-1')).toBe(false);
        await store.complete('c-1', { orderId: 'o-1', total: 3 });
        expect(await store.claim('c-1')).toEqual({ completed: { orderId: 'o-1', total: 3 } });
        expect(await store.get('c-1')).toEqual({ completed: { orderId: 'o-1', total: 3 } });
        expect(await store.contains('c-1')).toBe(true);

        expect(await store.claim('c-2')).toBe('claimed');
        await store.release('c-2');
        expect(await store.claim('c-2')).toBe('claimed');
        await store.complete('c-3', undefined);
        expect(await store.get('c-3')).toEqual({ completed: undefined });
        await expect(store.complete('c-4', { big: 1n })).rejects.toMatchObject({
          code: 'VALIDATION',
          field: 'result',
        });
      });

      it('lets a claim abandoned by a dead process be taken over after the TTL', async () => {
        const ttlClock = new FixedClock('2026-03-01T10:00:00.000Z');
        const store = new PostgresProcessedCommandStore(db, {
          schema,
          clock: ttlClock,
          claimTtlMs: 60_000,
        });
        expect(await store.claim('c-1')).toBe('claimed');
        ttlClock.advance(59_000);
        expect(await store.claim('c-1')).toBe('in-flight');
        ttlClock.advance(2_000);
        expect(await store.claim('c-1')).toBe('claimed');
      });
    });

    describe('PostgresOutbox', () => {
      it('writes events once, claims with a lease, retries, parks and deletes', async () => {
        const outboxClock = new FixedClock('2026-03-01T10:00:00.000Z');
        const outbox = new PostgresOutbox(db, {
          schema,
          clock: outboxClock,
          leaseMs: 1000,
          topicFor: () => 'money',
        });
        const a = new Deposited({ amount: 1 });
        const b = new Deposited({ amount: 2 });
        const c = new Deposited({ amount: 3 });
        const context = { commandId: 'cmd-1', correlationId: null, causationId: null };
        await outbox.write([a, b, c], context);
        await outbox.write([a], context); // the same event is not queued twice
        const now = outboxClock.now();
        const first = await outbox.claim(2, now);
        expect(first.map((r) => r.eventId)).toEqual([a.eventId, b.eventId]);
        expect(first[0]).toMatchObject({
          eventType: 'Deposited',
          topic: 'money',
          commandId: 'cmd-1',
          attempts: 1,
          event: a.toJSON(),
        });
        expect((await outbox.claim(10, now)).map((r) => r.eventId)).toEqual([c.eventId]);
        expect(await outbox.claim(10, now)).toEqual([]);
        await outbox.markSent([at(first, 0).id]);
        await outbox.markFailed(at(first, 1).id, 'broker down', new Date(now.getTime() + 5000));
        // The lease on c expires after 1 s; b is due again at +5 s.
        expect(
          (await outbox.claim(10, new Date(now.getTime() + 1500))).map((r) => r.eventId),
        ).toEqual([c.eventId]);
        // At +5 s b is due again and c's second lease has run out as well (its relay died).
        const retried = await outbox.claim(10, new Date(now.getTime() + 5000));
        expect(retried.map((r) => [r.eventId, r.attempts, r.lastError])).toEqual([
          [b.eventId, 2, 'broker down'],
          [c.eventId, 3, null],
        ]);
        await outbox.markFailed(at(retried, 0).id, 'poison', null);
        expect((await outbox.dead()).map((r) => r.eventId)).toEqual([b.eventId]);
        expect((await outbox.pending()).map((r) => r.eventId)).toEqual([c.eventId]);
      });

      it('feeds the bus OutboxRelay', async () => {
        const outbox = new PostgresOutbox(db, { schema, clock });
        await outbox.write(deposits(3), {
          commandId: null,
          correlationId: null,
          causationId: null,
        });
        const published: number[] = [];
        const relay = new OutboxRelay(
          outbox,
          async (record) => void published.push(record.event.payload.amount as number),
          { clock },
        );
        expect(await relay.runOnce()).toMatchObject({ claimed: 3, sent: 3 });
        expect(published).toEqual([1, 2, 3]);
        expect(await outbox.pending()).toEqual([]);
      });
    });

    describe('PostgresUnitOfWork', () => {
      const context = { commandId: 'cmd-1', correlationId: 'corr-1', causationId: 'cause-1' };

      it('commits state, events, outbox rows and the processed-command record together', async () => {
        const outbox = new PostgresOutbox(db, { schema, clock });
        const processed = new PostgresProcessedCommandStore(db, { schema, clock });
        const rootStore = new PostgresEventStore(db, { schema, clock });
        const uow = new PostgresUnitOfWork(db, { schema, clock, outbox });
        await db.query(`CREATE TABLE "${schema}".accounts (id text PRIMARY KEY, balance int)`);
        const event = new Deposited({ amount: 5 });
        uow.enlist({
          // Built on the plain executor: joins the unit of work's transaction during commit.
          flush: async () =>
            void (await rootStore.appendToStream('account-1', [event], {
              expectedVersion: 'no_stream',
              commandId: 'cmd-1',
            })),
          pullEvents: () => [event],
        });
        await processed.claim('cmd-1');
        await uow.begin(context);
        await uow.executor.query(`INSERT INTO "${schema}".accounts VALUES ('account-1', 5)`);
        uow.onBeforeCommit(() => processed.complete('cmd-1', { ok: true }));
        await uow.commit();

        expect((await rootStore.readStream('account-1')).version).toBe(1);
        const [row] = await outbox.pending();
        expect(row?.event).toMatchObject({
          eventId: event.eventId,
          correlationId: 'corr-1',
          causationId: 'cause-1',
        });
        expect(await processed.get('cmd-1')).toEqual({ completed: { ok: true } });
        expect(await db.query(`SELECT balance FROM "${schema}".accounts`)).toEqual([
          { balance: 5 },
        ]);
      });

      it('a failure after the append rolls everything back', async () => {
        const outbox = new PostgresOutbox(db, { schema, clock });
        const processed = new PostgresProcessedCommandStore(db, { schema, clock });
        const uow = new PostgresUnitOfWork(db, { schema, clock, outbox });
        await db.query(`CREATE TABLE "${schema}".accounts (id text PRIMARY KEY, balance int)`);
        const event = new Deposited({ amount: 5 });
        uow.enlist({
          flush: async () =>
            void (await uow.eventStore.appendToStream('account-1', [event], {
              expectedVersion: 'no_stream',
            })),
          pullEvents: () => [event],
        });
        await processed.claim('cmd-1');
        uow.onCompletion(async (outcome) => {
          if (outcome === 'rolledBack') await processed.release('cmd-1');
        });
        await uow.begin(context);
        await uow.executor.query(`INSERT INTO "${schema}".accounts VALUES ('account-1', 5)`);
        await uow.checkpoints.save('projection', 99);
        uow.onBeforeCommit(async () => {
          await processed.complete('cmd-1', { ok: true });
          throw new Error('fails after the append and the outbox write');
        });
        await expect(uow.commit()).rejects.toThrow('fails after the append');
        await uow.rollback();

        const store = new PostgresEventStore(db, { schema });
        expect(await store.getStreamMetadata('account-1')).toBeUndefined();
        expect((await store.readAll()).events).toEqual([]);
        expect(await outbox.pending()).toEqual([]);
        expect(await processed.get('cmd-1')).toBeUndefined();
        expect(await processed.claim('cmd-1')).toBe('claimed'); // released: a retry runs again
        expect(await new PostgresCheckpointStore(db, { schema }).load('projection')).toBe(0);
        expect(await db.query(`SELECT * FROM "${schema}".accounts`)).toEqual([]);
        expect(uow.status).toBe('rolledBack');
      });

      it('wakes event listeners after the commit, for its own and for joined stores', async () => {
        const wakeUps = await countWakeUps(db, schema);
        const rootStore = new PostgresEventStore(db, { schema, clock });
        const uow = new PostgresUnitOfWork(db, { schema, clock });
        uow.enlist({
          flush: async () => {
            await uow.eventStore.appendToStream('a', deposits(1), { expectedVersion: 'no_stream' });
            await rootStore.appendToStream('b', deposits(1), { expectedVersion: 'no_stream' });
          },
          pullEvents: () => [],
        });
        uow.onBeforeCommit(async () => {
          await new Promise<void>((resolve) => setTimeout(resolve, 100));
          expect(wakeUps.count()).toBe(0); // appended, not committed: nobody is woken yet
        });
        await uow.begin(context);
        await uow.commit();
        await waitFor(() => wakeUps.count() > 0);
        await wakeUps.close();
      });

      it('refuses to commit a transaction PostgreSQL already aborted', async () => {
        const uow = new PostgresUnitOfWork(db, { schema, clock });
        await uow.begin(context);
        await uow.eventStore.appendToStream('s', deposits(1), {
          expectedVersion: 'no_stream',
          commandId: 'x',
        });
        // A swallowed statement failure aborts the transaction; COMMIT would silently roll back.
        await uow.executor.query('SELECT 1/0').catch(() => undefined);
        await expect(uow.commit()).rejects.toMatchObject({ code: 'TRANSACTION_ABORTED' });
        await uow.rollback();
        expect(await new PostgresEventStore(db, { schema }).getStreamMetadata('s')).toBeUndefined();
      });

      it('appends of two aggregates commit together: a conflict on the second leaves the first unwritten', async () => {
        class TallyUnitOfWork extends PostgresUnitOfWork {
          readonly tallies = this.track(new EventSourcedRepository(this.eventStore, Tally));
        }
        const first = '0190a6e0-0000-7000-8000-00000000000a';
        const second = '0190a6e0-0000-7000-8000-00000000000b';
        const store = new PostgresEventStore(db, { schema, clock });
        // Another writer has created the second stream: this command's new aggregate conflicts.
        await store.appendToStream(`Tally-${second}`, deposits(1), {
          expectedVersion: 'no_stream',
        });
        const uow = new TallyUnitOfWork(db, { schema, clock });
        await uow.begin(context);
        const a = new Tally({ id: first });
        a.add(1);
        await uow.tallies.save(a);
        const b = new Tally({ id: second });
        b.add(2);
        await uow.tallies.save(b);
        await expect(uow.commit()).rejects.toMatchObject({ code: 'CONCURRENCY' });
        await uow.rollback();
        expect(await store.getStreamMetadata(`Tally-${first}`)).toBeUndefined();
        expect((await store.readStream(`Tally-${second}`)).version).toBe(1);
      });

      it('writes a due snapshot after the commit through uow.snapshots, and none on rollback', async () => {
        const id = '0190a6e0-0000-7000-8000-000000000001';
        const snapshotErrors: unknown[] = [];
        const hookErrors: unknown[] = [];
        class TallyUnitOfWork extends PostgresUnitOfWork {
          // The repository writes snapshots in its afterCommit hook, when the transaction is over.
          readonly tallies = this.track(
            new EventSourcedRepository(this.eventStore, Tally, {
              snapshotStore: this.snapshots,
              snapshotPolicy: { shouldSnapshot: () => true },
              onSnapshotError: (error) => void snapshotErrors.push(error),
            }),
          );
        }
        const snapshots = new PostgresSnapshotStore(db, { schema });
        const unitOfWork = () =>
          new TallyUnitOfWork(db, {
            schema,
            clock,
            onHookError: (error) => void hookErrors.push(error),
          });

        const rolledBack = unitOfWork();
        rolledBack.onBeforeCommit(() => {
          throw new Error('refused after the append');
        });
        await rolledBack.begin(context);
        const lost = new Tally({ id });
        lost.add(5);
        await rolledBack.tallies.save(lost);
        await expect(rolledBack.commit()).rejects.toThrow('refused after the append');
        await rolledBack.rollback();
        expect(await snapshots.get('Tally', id)).toBeUndefined();
        await expect(rolledBack.snapshots.get('Tally', id)).rejects.toMatchObject({
          code: 'UOW_STATE',
        });

        const committed = unitOfWork();
        await committed.begin(context);
        const tally = new Tally({ id });
        tally.add(5);
        tally.add(2);
        await committed.tallies.save(tally);
        await committed.commit();
        expect(snapshotErrors).toEqual([]);
        expect(hookErrors).toEqual([]);
        expect(await snapshots.get('Tally', id)).toMatchObject({
          aggregateType: 'Tally',
          version: 2,
          state: { total: 7 },
        });
        // After the commit the bound stores autocommit on the plain executor.
        expect((await committed.snapshots.get('Tally', id))?.version).toBe(2);
        expect(committed.executor.inTransaction).toBe(false);

        const next = unitOfWork();
        await next.begin(context);
        const loaded = await next.tallies.getById(id);
        expect(loaded?.total).toBe(7);
        await next.rollback();
      });

      it('exposes no transaction before begin', async () => {
        const uow = new PostgresUnitOfWork(db, { schema });
        await expect(uow.eventStore.readAll()).rejects.toMatchObject({ code: 'UOW_STATE' });
      });
    });

    describe('PostgresLockProvider', () => {
      it('excludes a second holder of the same key until release', async () => {
        const locks = new PostgresLockProvider(db, { schema });
        await locks.acquire('order-1');
        await locks.acquire('order-2');
        await expect(locks.acquire('order-1', { timeoutMs: 50 })).rejects.toMatchObject({
          code: 'LOCK_TIMEOUT',
        });
        await locks.release('order-1');
        await locks.acquire('order-1', { timeoutMs: 1000 });
        await locks.release('order-1');
        await locks.release('order-2');
        await expect(locks.release('order-1')).rejects.toMatchObject({ code: 'LOCK_NOT_HELD' });
      });
    });
  },
);
