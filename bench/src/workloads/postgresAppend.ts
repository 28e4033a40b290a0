// Workload 5: PostgreSQL appends — 1 event per append, 50 events per append, 8 concurrent writers.
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@pd/postgres';
import { type BenchDatabase, openDatabase } from '../harness/database.js';
import { expectEqual, sized } from '../harness/measure.js';
import type { BenchCase, CaseContext, Runner } from '../harness/types.js';
import { MoneyDeposited } from './domain.js';

interface Shape {
  /** Appends per run, each to a new stream. */
  readonly appends: number;
  readonly eventsPerAppend: number;
  /** Appends in flight at once. */
  readonly writers: number;
}

function shapeOf(context: CaseContext, kind: 'single' | 'batch' | 'concurrent'): Shape {
  const server = context.pg.kind === 'server';
  const appends = sized(
    context,
    {
      single: { full: server ? 2_000 : 1_000, quick: 100, smoke: 5 },
      batch: { full: server ? 200 : 100, quick: 20, smoke: 2 },
      concurrent: { full: server ? 4_000 : 1_000, quick: 200, smoke: 8 },
    }[kind],
  );
  return {
    appends,
    eventsPerAppend: kind === 'batch' ? 50 : 1,
    writers: kind === 'concurrent' ? 8 : 1,
  };
}

/** Runs `work(i)` for i in [0, n) with `writers` of them in flight at once. */
async function inParallel(n: number, writers: number, work: (i: number) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next;
      next += 1;
      await work(i);
    }
  };
  await Promise.all(Array.from({ length: writers }, worker));
}

async function countEvents(db: BenchDatabase, prefix: string): Promise<number> {
  const [row] = await db.raw<{ n: string | number }>(
    `SELECT count(*) AS n FROM ${db.s}.events WHERE starts_with(stream_id, $1)`,
    [prefix],
  );
  return Number(row?.n ?? 0);
}

function pdRunner(db: BenchDatabase, shape: Shape, notify = true): Runner {
  const store = new PostgresEventStore(db.executor, { schema: db.schema, notify });
  let round = 0;
  let prefix = '';
  let inputs: MoneyDeposited[][] = [];
  return {
    units: shape.appends * shape.eventsPerAppend,
    prepare() {
      round += 1;
      prefix = `Account-r${round}-`;
      inputs = Array.from({ length: shape.appends }, (_, i) =>
        Array.from(
          { length: shape.eventsPerAppend },
          (_, j) => new MoneyDeposited({ accountId: `${prefix}${i}`, amount: (j % 9) + 1 }),
        ),
      );
    },
    async run() {
      await inParallel(shape.appends, shape.writers, async (i) => {
        await store.appendToStream(`${prefix}${i}`, inputs[i] as MoneyDeposited[], {
          expectedVersion: 'no_stream',
        });
      });
      return undefined;
    },
    async verify() {
      expectEqual(await countEvents(db, prefix), shape.appends * shape.eventsPerAppend, 'rows');
    },
    close: () => db.close(),
  };
}

interface PlainEventRow {
  readonly type: string;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly payload: { readonly accountId: string; readonly amount: number };
}

/**
 * The same rows written by hand: one INSERT per append (single-row VALUES, or one `unnest` INSERT
 * for a batch — the fastest hand-written form), autocommit, a named prepared statement. It writes
 * only the `events` rows: no stream row, version check, gap-safety lock or NOTIFY, which is what
 * the library adds.
 */
function baselineRunner(db: BenchDatabase, shape: Shape): Runner {
  const columns = `stream_id, stream_version, event_type, schema_version, event_id, payload, occurred_at,
    recorded_at, correlation_id, causation_id, command_id`;
  const single = `INSERT INTO ${db.s}.events (${columns})
    VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, NULL, NULL, NULL)`;
  const batch = `INSERT INTO ${db.s}.events (${columns})
    SELECT $1, u.ord, u.t, 1, u.id, u.p::jsonb, u.o, $2, NULL, NULL, NULL
    FROM unnest($3::text[], $4::text[], $5::text[], $6::timestamptz[]) WITH ORDINALITY AS u(t, id, p, o, ord)`;
  let round = 0;
  let prefix = '';
  let inputs: PlainEventRow[][] = [];
  const write = async (streamId: string, rows: readonly PlainEventRow[]): Promise<void> => {
    const recordedAt = new Date();
    if (rows.length === 1) {
      const row = rows[0] as PlainEventRow;
      await db.raw(
        single,
        [
          streamId,
          1,
          row.type,
          1,
          row.eventId,
          JSON.stringify(row.payload),
          row.occurredAt,
          recordedAt,
        ],
        'bench_insert_one',
      );
      return;
    }
    await db.raw(
      batch,
      [
        streamId,
        recordedAt,
        rows.map((r) => r.type),
        rows.map((r) => r.eventId),
        rows.map((r) => JSON.stringify(r.payload)),
        rows.map((r) => r.occurredAt),
      ],
      'bench_insert_batch',
    );
  };
  return {
    units: shape.appends * shape.eventsPerAppend,
    prepare() {
      round += 1;
      prefix = `Account-r${round}-`;
      const occurredAt = new Date().toISOString();
      inputs = Array.from({ length: shape.appends }, (_, i) =>
        Array.from({ length: shape.eventsPerAppend }, (_, j) => ({
          type: 'MoneyDeposited',
          eventId: randomUUID(),
          occurredAt,
          payload: { accountId: `${prefix}${i}`, amount: (j % 9) + 1 },
        })),
      );
    },
    async run() {
      await inParallel(shape.appends, shape.writers, (i) =>
        write(`${prefix}${i}`, inputs[i] as PlainEventRow[]),
      );
      return undefined;
    },
    async verify() {
      expectEqual(await countEvents(db, prefix), shape.appends * shape.eventsPerAppend, 'rows');
    },
    close: () => db.close(),
  };
}

const appendCase = (
  id: string,
  kind: 'single' | 'batch' | 'concurrent',
  title: string,
  target: number | undefined,
  note: string,
  notify = true,
): BenchCase => ({
  id,
  workload: 5,
  title,
  unit: 'events',
  postgres: true,
  ...(target === undefined ? {} : { target }),
  note,
  pd: async (context) =>
    pdRunner(await openDatabase(context.pg, 'append'), shapeOf(context, kind), notify),
  baseline: async (context) =>
    baselineRunner(await openDatabase(context.pg, 'append'), shapeOf(context, kind)),
});

export const postgresAppendCases: readonly BenchCase[] = [
  appendCase(
    '5a-pg-append-1',
    'single',
    'PostgreSQL append, 1 event per append (new stream each)',
    0.9,
    "appendToStream(newStream, [e], { expectedVersion: 'no_stream' }) one at a time vs one autocommit INSERT",
  ),
  appendCase(
    '5a2-pg-append-1-no-notify',
    'single',
    'PostgreSQL append, 1 event per append, NOTIFY off (breakdown)',
    undefined,
    'as 5a with PostgresEventStore({ notify: false }): what the per-append NOTIFY costs one writer',
    false,
  ),
  appendCase(
    '5b-pg-append-50',
    'batch',
    'PostgreSQL append, 50 events per append (new stream each)',
    0.8,
    'appendToStream(newStream, 50 events) one at a time vs one unnest INSERT of the 50 rows',
  ),
  appendCase(
    '5c-pg-append-concurrent',
    'concurrent',
    'PostgreSQL append, 8 concurrent writers, 1 event per append',
    undefined,
    'as 5a with 8 appends in flight (pool of 10) vs the same INSERTs 8 at a time',
  ),
  appendCase(
    '5d-pg-append-concurrent-no-notify',
    'concurrent',
    'PostgreSQL append, 8 concurrent writers, NOTIFY off (breakdown)',
    undefined,
    'as 5c with PostgresEventStore({ notify: false }): what the per-append NOTIFY costs under concurrency',
    false,
  ),
];
