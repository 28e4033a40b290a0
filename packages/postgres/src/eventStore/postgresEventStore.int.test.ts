import { isPdError } from '@pd/ddd';
import type { StoredEvent } from '@pd/eventsourcing';
import { fromPgPool, PostgresEventStore, type SqlExecutor } from '@pd/postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshSchema, serverPool, serverUrl, warnWithoutServer } from '../testSupport/backends.js';
import { Deposited, deposits } from '../testSupport/events.js';

warnWithoutServer('the concurrent event store tests');

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

describe.skipIf(serverUrl === undefined)('PostgresEventStore under concurrency (server)', () => {
  let db: SqlExecutor;
  let schema: string;
  let drop: () => Promise<void>;
  let store: PostgresEventStore;

  beforeAll(() => {
    db = fromPgPool(serverPool(16), { ownsPool: true });
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    ({ schema, drop } = await freshSchema(db, 'int'));
    store = new PostgresEventStore(db, { schema });
  });
  afterEach(() => drop());

  it('holds back a committed position while a lower one is still in flight', async () => {
    // T2 gets its transaction id first, but draws its position after T1: the plain
    // "transaction_id < xmin" rule would hand out T2's event and later reveal T1's lower one.
    const t2 = await db.begin();
    const t1 = await db.begin();
    try {
      await t2.query('SELECT pg_current_xact_id()');
      const r1 = await store
        .withExecutor(t1)
        .appendToStream('a', deposits(1), { expectedVersion: 'no_stream' });
      const r2 = await store
        .withExecutor(t2)
        .appendToStream('b', deposits(1), { expectedVersion: 'no_stream' });
      await t2.commit();
      expect(r2.lastPosition).toBeGreaterThan(r1.lastPosition ?? Infinity);

      const naive = await db.query<{ position: string }>(
        `SELECT position FROM "${schema}".events WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())`,
      );
      expect(naive.map((row) => Number(row.position))).toContain(r2.lastPosition);

      const during = await store.readAll();
      expect(during.events).toEqual([]);
      expect(during.isEnd).toBe(true);
      expect(during.lastPosition).toBeLessThan(r1.lastPosition ?? 0);

      await t1.commit();
      const after = await store.readAll({ fromPosition: during.lastPosition });
      expect(after.events.map((e) => e.globalPosition)).toEqual([r1.lastPosition, r2.lastPosition]);
    } finally {
      await t1.rollback();
      await t2.rollback();
    }
  });

  it('a catch-up reader sees every event exactly once, in order, while 8 writers append', async () => {
    const writers = 8;
    const appendsPerWriter = 40;
    let running = writers;
    const written = new Set<string>();

    const writer = async (w: number) => {
      for (let i = 0; i < appendsPerWriter; i++) {
        const batch = deposits(1 + ((w + i) % 5));
        const streamId = `w${w}-${i % 4}`;
        if (i % 3 === 0) {
          // A unit-of-work shape: write something first (taking a transaction id early), then append.
          await db.transaction(async (tx) => {
            await tx.query('SELECT pg_current_xact_id()');
            await yieldToOthers();
            await store
              .withExecutor(tx)
              .appendToStream(streamId, batch, { expectedVersion: 'any' });
            await yieldToOthers();
          });
        } else {
          await store.appendToStream(streamId, batch, { expectedVersion: 'any' });
        }
        for (const event of batch) written.add(event.eventId);
      }
      running -= 1;
    };

    const seen: StoredEvent[] = [];
    const reader = async () => {
      let checkpoint = 0;
      for (;;) {
        const finished = running === 0;
        const slice = await store.readAll({ fromPosition: checkpoint, limit: 37 });
        seen.push(...slice.events);
        checkpoint = slice.lastPosition;
        if (finished && slice.isEnd) return;
        if (slice.isEnd) await yieldToOthers();
      }
    };

    await Promise.all([...Array.from({ length: writers }, (_, w) => writer(w)), reader()]);

    const positions = seen.map((e) => e.globalPosition);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).toBe(positions.length);
    expect(seen.map((e) => e.eventId).sort()).toEqual([...written].sort());
    expect(seen.length).toBeGreaterThan(writers * appendsPerWriter);
  });

  it('8 writers racing on one stream: exactly one wins each version, nothing is lost', async () => {
    const writers = 8;
    const rounds = 15;
    const winners: string[] = [];
    for (let version = 0; version < rounds; version++) {
      const attempts = await Promise.allSettled(
        Array.from({ length: writers }, (_, w) =>
          store
            .appendToStream('contested', [new Deposited({ amount: w, note: `round ${version}` })], {
              expectedVersion: version,
              commandId: `round-${version}-writer-${w}`,
            })
            .then(() => `round-${version}-writer-${w}`),
        ),
      );
      const won = attempts.filter((a) => a.status === 'fulfilled');
      const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.every((a) => isPdError(a.reason, 'CONCURRENCY'))).toBe(true);
      winners.push((won[0] as PromiseFulfilledResult<string>).value);
    }
    const slice = await store.readStream('contested');
    expect(slice.version).toBe(rounds);
    expect(slice.events.map((e) => e.streamVersion)).toEqual(
      Array.from({ length: rounds }, (_, i) => i + 1),
    );
    expect(slice.events.map((e) => e.metadata.commandId)).toEqual(winners);
  });

  it('writers retrying on conflict lose nothing', async () => {
    const writers = 8;
    const perWriter = 10;
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          for (;;) {
            const version = (await store.getStreamMetadata('shared'))?.version ?? 0;
            try {
              await store.appendToStream('shared', [new Deposited({ amount: w * 100 + i })], {
                expectedVersion: version,
              });
              break;
            } catch (error) {
              if (!isPdError(error, 'CONCURRENCY')) throw error;
              conflicts += 1;
            }
          }
        }
      }),
    );
    const slice = await store.readStream('shared');
    expect(slice.version).toBe(writers * perWriter);
    const amounts = slice.events.map((e) => e.payload.amount as number).sort((a, b) => a - b);
    expect(amounts).toEqual(
      Array.from({ length: writers }, (_, w) =>
        Array.from({ length: perWriter }, (_, i) => w * 100 + i),
      )
        .flat()
        .sort((a, b) => a - b),
    );
    expect(conflicts).toBeGreaterThan(0);
  });
});
