// Workload 6: subscription catch-up of N events into an in-memory projection, from PostgreSQL.
import { SubscriptionRunner } from '@pd/advanced';
import { InMemoryCheckpointStore, type StoredEvent } from '@pd/eventsourcing';
import { PostgresEventStore } from '@pd/postgres';
import { type BenchDatabase, openDatabase } from '../harness/database.js';
import { expectEqual, sized } from '../harness/measure.js';
import type { BenchCase, CaseContext } from '../harness/types.js';

const STREAMS = 1_000;
/** Events per read, both sides (SubscriptionRunner's default is 100). */
const PAGE = 1_000;

const eventCount = (context: CaseContext): number =>
  sized(context, { full: 100_000, quick: 10_000, smoke: 300 });

/**
 * Fills the adapter's tables with `n` MoneyDeposited events over 1000 streams in one statement
 * (untimed set-up; the rows are exactly what `PostgresEventStore` writes and reads).
 */
async function seed(db: BenchDatabase, n: number): Promise<void> {
  await db.raw(
    `INSERT INTO ${db.s}.events (stream_id, stream_version, event_type, schema_version, event_id,
       payload, occurred_at, recorded_at)
     SELECT 'Account-' || (g % ${STREAMS}), g / ${STREAMS} + 1, 'MoneyDeposited', 1, gen_random_uuid()::text,
       jsonb_build_object('accountId', 'Account-' || (g % ${STREAMS}), 'amount', g % 9 + 1), now(), now()
     FROM generate_series(0, $1::int - 1) AS g ORDER BY g`,
    [n],
  );
  await db.raw(
    `INSERT INTO ${db.s}.streams (stream_id, version, created_at, updated_at)
     SELECT stream_id, max(stream_version), now(), now() FROM ${db.s}.events GROUP BY stream_id`,
  );
  await db.raw(`ANALYZE ${db.s}.events`);
}

/** The read model: balance and event count per account, in a Map. */
class BalanceProjection {
  readonly balances = new Map<string, { events: number; balance: number }>();

  apply(streamId: string, type: string, payload: { readonly amount?: number }): void {
    let row = this.balances.get(streamId);
    if (row === undefined) {
      row = { events: 0, balance: 0 };
      this.balances.set(streamId, row);
    }
    row.events += 1;
    if (type === 'MoneyDeposited') row.balance += payload.amount ?? 0;
  }

  total(): { events: number; balance: number } {
    let events = 0;
    let balance = 0;
    for (const row of this.balances.values()) {
      events += row.events;
      balance += row.balance;
    }
    return { events, balance };
  }
}

function expectedBalance(n: number): number {
  let sum = 0;
  for (let g = 0; g < n; g++) sum += (g % 9) + 1;
  return sum;
}

const quietLogger = { info() {}, warn() {}, error() {} };

async function seededDatabase(context: CaseContext): Promise<BenchDatabase> {
  const db = await openDatabase(context.pg, 'catchup');
  try {
    await seed(db, eventCount(context));
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

function verifyProjection(projection: BenchProjectionHolder, n: number): void {
  const total = projection.current.total();
  expectEqual(total.events, n, 'events projected');
  expectEqual(total.balance, expectedBalance(n), 'projected balance');
}

interface BenchProjectionHolder {
  current: BalanceProjection;
}

export const catchUpCases: readonly BenchCase[] = [
  {
    id: '6-pg-catch-up',
    workload: 6,
    title: 'Subscription catch-up of 100k events into an in-memory projection, PostgreSQL',
    unit: 'events',
    postgres: true,
    target: 0.5,
    note: 'SubscriptionRunner.runOnce (pages of 1000, in-memory checkpoint) vs a keyset-paged raw SELECT feeding the same projection',
    pd: async (context) => {
      const db = await seededDatabase(context);
      const n = eventCount(context);
      const store = new PostgresEventStore(db.executor, { schema: db.schema });
      const holder: BenchProjectionHolder = { current: new BalanceProjection() };
      let runner: SubscriptionRunner;
      let delivered = 0;
      return {
        units: n,
        prepare() {
          holder.current = new BalanceProjection();
          runner = new SubscriptionRunner({
            eventStore: store,
            checkpointStore: new InMemoryCheckpointStore(),
            batchSize: PAGE,
            logger: quietLogger,
          });
          const projection = holder.current;
          runner.subscribe({
            id: 'balances',
            handler: (events: readonly StoredEvent[]) => {
              for (const e of events) {
                projection.apply(e.streamId, e.type, e.payload as { amount?: number });
              }
            },
          });
        },
        async run() {
          const [report] = await runner.runOnce();
          delivered = report?.delivered ?? 0;
          return undefined;
        },
        verify() {
          expectEqual(delivered, n, 'events delivered');
          verifyProjection(holder, n);
        },
        close: () => db.close(),
      };
    },
    baseline: async (context) => {
      const db = await seededDatabase(context);
      const n = eventCount(context);
      const holder: BenchProjectionHolder = { current: new BalanceProjection() };
      const text = `SELECT position, stream_id, event_type, payload FROM ${db.s}.events
        WHERE position > $1 ORDER BY position LIMIT $2`;
      interface Row {
        position: string | number;
        stream_id: string;
        event_type: string;
        payload: { amount?: number };
      }
      return {
        units: n,
        prepare() {
          holder.current = new BalanceProjection();
        },
        async run() {
          const projection = holder.current;
          let from = 0;
          for (;;) {
            const rows = await db.raw<Row>(text, [from, PAGE], 'bench_catch_up');
            for (const row of rows) projection.apply(row.stream_id, row.event_type, row.payload);
            if (rows.length < PAGE) break;
            from = Number((rows[rows.length - 1] as Row).position);
          }
          return undefined;
        },
        verify() {
          verifyProjection(holder, n);
        },
        close: () => db.close(),
      };
    },
  },
];
