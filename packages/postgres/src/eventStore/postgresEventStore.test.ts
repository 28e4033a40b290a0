import { PGlite } from '@electric-sql/pglite';
import { ConcurrencyError, FixedClock, isPdError } from '@pd/ddd';
import { PostgresEventNotifier, PostgresEventStore, type SqlExecutor } from '@pd/postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backends, freshSchema } from '../testSupport/backends.js';
import { Anything, Deposited, deposits, Withdrawn } from '../testSupport/events.js';
import { countWakeUps, waitFor } from '../testSupport/wakeUps.js';

const clock = new FixedClock('2026-03-01T10:00:00.000Z');

/** Lets pending callbacks, notifications and I/O run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 100));

/** Counts the statements a store sends. */
function counting(db: SqlExecutor): { executor: SqlExecutor; count: () => number } {
  let n = 0;
  const executor: SqlExecutor = Object.create(db, {
    query: {
      value: (text: string, params?: readonly unknown[], options?: { name?: string }) => {
        n += 1;
        return db.query(text, params, options);
      },
    },
  });
  return { executor, count: () => n };
}

describe.each(backends('the event store contract', (options) => PGlite.create(options)))(
  'PostgresEventStore on $name',
  (backend) => {
    let db: SqlExecutor;
    let schema: string;
    let drop: () => Promise<void>;
    let store: PostgresEventStore;

    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(() => backend.close());
    beforeEach(async () => {
      ({ schema, drop } = await freshSchema(db));
      store = new PostgresEventStore(db, { schema, clock });
    });
    afterEach(() => drop());

    it('appends to a new stream and reads the events back with their envelope', async () => {
      const first = new Deposited(
        { amount: 10 },
        { correlationId: 'corr-1', causationId: 'cause-1' },
      );
      const result = await store.appendToStream(
        'account-1',
        [first, new Withdrawn({ amount: 3 })],
        {
          expectedVersion: 'no_stream',
          commandId: 'cmd-1',
          metadata: { tenant: 'acme' },
        },
      );
      expect(result.nextExpectedVersion).toBe(2);
      const slice = await store.readStream('account-1');
      expect(slice.version).toBe(2);
      expect(slice.events.map((e) => [e.type, e.streamVersion, e.payload])).toEqual([
        ['Deposited', 1, { amount: 10 }],
        ['Withdrawn', 2, { amount: 3 }],
      ]);
      const [stored] = slice.events;
      expect(stored).toMatchObject({
        eventId: first.eventId,
        occurredAt: first.occurredAt.toISOString(),
        correlationId: 'corr-1',
        causationId: 'cause-1',
        schemaVersion: 1,
        streamId: 'account-1',
        recordedAt: '2026-03-01T10:00:00.000Z',
        metadata: { commandId: 'cmd-1', tenant: 'acme' },
      });
      expect(result.lastPosition).toBe(slice.events[1]?.globalPosition);
      expect(slice.events[1]?.globalPosition).toBeGreaterThan(stored?.globalPosition ?? Infinity);
    });

    it('appends many events in one statement', async () => {
      const { executor, count } = counting(db);
      // notify: false, so the wake-up statement that follows an append is not counted.
      const counted = new PostgresEventStore(executor, { schema, notify: false });
      await counted.appendToStream('s-1', deposits(50), { expectedVersion: 'no_stream' });
      expect(count()).toBe(1);
      const slice = await store.readStream('s-1');
      expect(slice.events.map((e) => e.streamVersion)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      expect(slice.events.map((e) => e.payload.amount)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    });

    it('checks every expected-version mode', async () => {
      await expect(
        store.appendToStream('s', deposits(1), { expectedVersion: 'stream_exists' }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(
        store.appendToStream('s', deposits(1), { expectedVersion: 1 }),
      ).rejects.toMatchObject({
        code: 'CONCURRENCY',
        actualVersion: 0,
      });
      await store.appendToStream('s', deposits(2), { expectedVersion: 'no_stream' });
      await expect(
        store.appendToStream('s', deposits(1), { expectedVersion: 'no_stream' }),
      ).rejects.toMatchObject({
        code: 'CONCURRENCY',
        stream: 's',
        expectedVersion: 'no_stream',
        actualVersion: 2,
      });
      await expect(
        store.appendToStream('s', deposits(1), { expectedVersion: 1 }),
      ).rejects.toMatchObject({
        expectedVersion: 1,
        actualVersion: 2,
      });
      expect(
        (await store.appendToStream('s', deposits(1), { expectedVersion: 2 })).nextExpectedVersion,
      ).toBe(3);
      expect(
        (await store.appendToStream('s', deposits(1), { expectedVersion: 'stream_exists' }))
          .nextExpectedVersion,
      ).toBe(4);
      expect(
        (await store.appendToStream('s', deposits(2), { expectedVersion: 'any' }))
          .nextExpectedVersion,
      ).toBe(6);
      expect(
        (await store.appendToStream('new', deposits(1), { expectedVersion: 'any' }))
          .nextExpectedVersion,
      ).toBe(1);
      expect(
        (await store.appendToStream('zero', deposits(1), { expectedVersion: 0 }))
          .nextExpectedVersion,
      ).toBe(1);
      expect((await store.readStream('s')).events).toHaveLength(6);
    });

    it('rejects a repeated command id, and a failed append does not consume it', async () => {
      await store.appendToStream('s', deposits(1), {
        expectedVersion: 'no_stream',
        commandId: 'c-1',
      });
      await expect(
        store.appendToStream('s', deposits(1), { expectedVersion: 1, commandId: 'c-1' }),
      ).rejects.toMatchObject({
        code: 'DUPLICATE_COMMAND',
        streamId: 's',
        commandId: 'c-1',
      });
      // A stale retry of the same command is still a duplicate, not a concurrency conflict.
      await expect(
        store.appendToStream('s', deposits(1), { expectedVersion: 0, commandId: 'c-1' }),
      ).rejects.toMatchObject({
        code: 'DUPLICATE_COMMAND',
      });
      await expect(
        store.appendToStream('s', deposits(1), { expectedVersion: 5, commandId: 'c-2' }),
      ).rejects.toMatchObject({
        code: 'CONCURRENCY',
      });
      await store.appendToStream('s', deposits(1), { expectedVersion: 1, commandId: 'c-2' });
      // Command ids are per stream.
      await store.appendToStream('other', deposits(1), {
        expectedVersion: 'no_stream',
        commandId: 'c-1',
      });
      expect((await store.readStream('s')).version).toBe(2);
    });

    it('reads slices of a stream and reports missing streams', async () => {
      await store.appendToStream('s', deposits(5), { expectedVersion: 'no_stream' });
      const slice = await store.readStream('s', { fromVersion: 2, limit: 2 });
      expect(slice.version).toBe(5);
      expect(slice.events.map((e) => e.streamVersion)).toEqual([3, 4]);
      expect((await store.readStream('s', { fromVersion: 5 })).events).toEqual([]);
      await expect(store.readStream('missing')).rejects.toMatchObject({
        code: 'STREAM_NOT_FOUND',
        streamId: 'missing',
      });
      expect(await store.getStreamMetadata('missing')).toBeUndefined();
      expect(await store.getStreamMetadata('s')).toEqual({
        streamId: 's',
        version: 5,
        deleted: false,
        createdAt: '2026-03-01T10:00:00.000Z',
        updatedAt: '2026-03-01T10:00:00.000Z',
      });
    });

    it('pages through the global log in position order, with filters', async () => {
      await store.appendToStream(
        'order-1',
        [new Deposited({ amount: 1 }), new Withdrawn({ amount: 2 })],
        {
          expectedVersion: 'no_stream',
        },
      );
      await store.appendToStream('cart-1', [new Deposited({ amount: 3 })], {
        expectedVersion: 'no_stream',
      });
      await store.appendToStream('order-2', [new Deposited({ amount: 4 })], {
        expectedVersion: 'no_stream',
      });

      const seen: number[] = [];
      let from = 0;
      for (let page = 0; page < 10; page++) {
        const slice = await store.readAll({ fromPosition: from, limit: 2 });
        seen.push(...slice.events.map((e) => e.payload.amount as number));
        from = slice.lastPosition;
        if (slice.isEnd) break;
      }
      expect(seen).toEqual([1, 2, 3, 4]);
      const end = await store.readAll({ fromPosition: from });
      expect(end).toEqual({ events: [], lastPosition: from, isEnd: true });

      const orders = await store.readAll({ streamCategory: 'order' });
      expect(orders.events.map((e) => e.streamId)).toEqual(['order-1', 'order-1', 'order-2']);
      const withdrawals = await store.readAll({ eventTypes: ['Withdrawn'] });
      expect(withdrawals.events.map((e) => e.payload)).toEqual([{ amount: 2 }]);
      // A filtered read still reports how far it looked, so the next read does not rescan.
      expect(withdrawals.lastPosition).toBe(from);
      expect(withdrawals.isEnd).toBe(true);
      const both = await store.readAll({ eventTypes: ['Deposited'], streamCategory: 'order' });
      expect(both.events.map((e) => e.payload.amount)).toEqual([1, 4]);
      // LIKE wildcards in a category are plain characters.
      expect((await store.readAll({ streamCategory: 'ord%' })).events).toEqual([]);
      expect((await store.readAll({ streamCategory: '_rder' })).events).toEqual([]);
    });

    it('tombstones a stream', async () => {
      await store.appendToStream('s', deposits(2), { expectedVersion: 'no_stream' });
      await expect(store.deleteStream('s', { expectedVersion: 1 })).rejects.toMatchObject({
        code: 'CONCURRENCY',
      });
      await store.deleteStream('s', { expectedVersion: 2 });
      await expect(store.readStream('s')).rejects.toMatchObject({ code: 'STREAM_DELETED' });
      await expect(
        store.appendToStream('s', deposits(1), { expectedVersion: 'any' }),
      ).rejects.toMatchObject({
        code: 'STREAM_DELETED',
      });
      await expect(
        store.appendToStream('s', deposits(1), { expectedVersion: 'no_stream' }),
      ).rejects.toMatchObject({
        code: 'STREAM_DELETED',
      });
      expect(await store.getStreamMetadata('s')).toMatchObject({ deleted: true, version: 2 });
      expect((await store.readAll()).events).toHaveLength(2);
      await store.deleteStream('s'); // again: nothing to do
      await expect(store.deleteStream('never')).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND' });
    });

    it('stores hostile stream names and payloads verbatim', async () => {
      const streams = [
        `x'); DROP TABLE "${'events'}"; --`,
        'naïve-ストリーム-🎉',
        'back\\slash "quoted" {brace,comma}',
        ' leading and trailing ',
        'NULL',
      ];
      const payload = {
        sql: "'; DELETE FROM events; --",
        quotes: `"'\``,
        backslashes: '\\\\n\\u0041',
        unicode: 'Ωμέγα 🎉 \u2028\u2029',
        control: '\t\n\r\b\f\u0001',
        nested: { array: [1, 'two', null, { deep: true }], empty: {} },
        numbers: [0, -1.5, 1e21, 0.1 + 0.2, Number.MAX_SAFE_INTEGER],
        '__proto__-like': 'x',
        'key with "quotes"': '{"not":"json"}',
      };
      for (const streamId of streams) {
        await store.appendToStream(streamId, [new Anything({ data: payload })], {
          expectedVersion: 'no_stream',
        });
        const [event] = (await store.readStream(streamId)).events;
        expect(event?.streamId).toBe(streamId);
        expect(event?.payload).toEqual({ data: payload });
      }
      expect((await store.readAll()).events.map((e) => e.streamId)).toEqual(streams);
    });

    it('validates input before any SQL runs', async () => {
      const { executor, count } = counting(db);
      const counted = new PostgresEventStore(executor, { schema });
      const attempts = [
        () => counted.appendToStream('', deposits(1), { expectedVersion: 'any' }),
        () => counted.appendToStream('a\u0000b', deposits(1), { expectedVersion: 'any' }),
        () => counted.appendToStream('s', deposits(1), { expectedVersion: -1 }),
        () => counted.appendToStream('s', deposits(1), { expectedVersion: 'sometimes' as 'any' }),
        () => counted.readStream('s', { limit: 0 }),
        () => counted.readAll({ fromPosition: -1 }),
      ];
      for (const attempt of attempts)
        await expect(attempt()).rejects.toMatchObject({ code: 'VALIDATION' });
      expect(count()).toBe(0);
      expect(() => new PostgresEventStore(db, { schema: 'bad"; drop schema public; --' })).toThrow(
        expect.objectContaining({ code: 'VALIDATION', field: 'schema' }),
      );
    });

    it('refuses a payload PostgreSQL cannot store, with a typed error and no write', async () => {
      await expect(
        store.appendToStream('s', [new Anything({ data: 'nul \u0000 char' })], {
          expectedVersion: 'no_stream',
        }),
      ).rejects.toSatisfy((e: unknown) => isPdError(e, 'VALIDATION'));
      expect(await store.getStreamMetadata('s')).toBeUndefined();
    });

    it('an empty append checks the version and creates an empty stream, but no event', async () => {
      await expect(
        store.appendToStream('s', [], { expectedVersion: 'stream_exists' }),
      ).rejects.toMatchObject({ code: 'CONCURRENCY' });
      expect(await store.getStreamMetadata('s')).toBeUndefined();
      expect(await store.appendToStream('s', [], { expectedVersion: 'no_stream' })).toEqual({
        nextExpectedVersion: 0,
        lastPosition: null,
      });
      expect(await store.getStreamMetadata('s')).toMatchObject({ version: 0, deleted: false });
      await expect(
        store.appendToStream('s', [], { expectedVersion: 'no_stream' }),
      ).rejects.toMatchObject({ code: 'CONCURRENCY', actualVersion: 0 });
      expect((await store.readAll()).events).toEqual([]);
    });

    it('writes inside a caller transaction and rolls back with it', async () => {
      await expect(
        db.transaction(async (tx) => {
          await store
            .withExecutor(tx)
            .appendToStream('s', deposits(3), { expectedVersion: 'no_stream' });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.getStreamMetadata('s')).toBeUndefined();
      expect((await store.readAll()).events).toEqual([]);
      await db.transaction((tx) =>
        store.withExecutor(tx).appendToStream('s', deposits(3), { expectedVersion: 'no_stream' }),
      );
      expect((await store.readStream('s')).version).toBe(3);
    });

    it('wakes a notifier after each committed append', async () => {
      const notifier = new PostgresEventNotifier(db, { schema });
      let wakeUps = 0;
      const woken = new Promise<void>((resolve) => {
        notifier.onAppended(() => {
          wakeUps += 1;
          resolve();
        });
      });
      await notifier.ready();
      await store.appendToStream('s', deposits(2), { expectedVersion: 'no_stream' });
      await woken;
      expect(wakeUps).toBeGreaterThanOrEqual(1);
      await notifier.close();
    });

    it('sends the NOTIFY after the append statement, not inside it', async () => {
      const texts: string[] = [];
      const recording: SqlExecutor = Object.create(db, {
        query: {
          value: (text: string, params?: readonly unknown[], options?: { name?: string }) => {
            texts.push(text);
            return db.query(text, params, options);
          },
        },
      });
      const recorded = new PostgresEventStore(recording, { schema });
      await recorded.appendToStream('s', deposits(1), { expectedVersion: 'no_stream' });
      await waitFor(() => texts.length === 2);
      expect(texts[0]).toContain('INSERT INTO');
      expect(texts[0]).not.toContain('pg_notify');
      expect(texts[1]).toMatch(
        /^SELECT set_config\('synchronous_commit', 'off', true\), pg_notify/,
      );
    });

    it('wakes listeners only once a transaction commits, never after a rollback', async () => {
      const wakeUps = await countWakeUps(db, schema);

      await expect(
        db.transaction(async (tx) => {
          await store.withExecutor(tx).appendToStream('r', deposits(1), {
            expectedVersion: 'no_stream',
          });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await db.transaction(async (tx) => {
        await tx.transaction(async (savepoint) => {
          await store.withExecutor(savepoint).appendToStream('s', deposits(1), {
            expectedVersion: 'no_stream',
          });
        });
        await settle();
        expect(wakeUps.count()).toBe(0); // released savepoint, open transaction: nothing yet
      });
      await waitFor(() => wakeUps.count() > 0);
      await settle();
      expect(wakeUps.count()).toBe(1);
      await wakeUps.close();
    });

    it('inside a transaction pd cannot watch, notifies from the append statement itself', async () => {
      const wakeUps = await countWakeUps(db, schema);
      const texts: string[] = [];
      await db.transaction(async (tx) => {
        // A transaction executor of someone else's making: no after-commit hook pd knows of.
        const foreign: SqlExecutor = {
          kind: tx.kind,
          inTransaction: true,
          query: (text, params, options) => {
            texts.push(text);
            return tx.query(text, params, options);
          },
          transaction: (fn) => tx.transaction(fn),
          begin: () => tx.begin(),
          listen: (channel, listener) => tx.listen(channel, listener),
          close: async () => {},
        };
        await store
          .withExecutor(foreign)
          .appendToStream('f', deposits(1), { expectedVersion: 'no_stream' });
      });
      expect(texts).toHaveLength(1);
      expect(texts[0]).toContain('pg_notify');
      await waitFor(() => wakeUps.count() > 0);
      await wakeUps.close();
    });
  },
);
