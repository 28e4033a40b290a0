import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { SagaStatus } from '@pd/advanced/saga';
import { connect, fromPGlite, type SqlExecutor } from '@pd/postgres';
import { PlaceOrder } from '@pd-examples/level2-cqrs';
import { legacyOrderPlaced } from './legacy.js';
import { openShop } from './shop.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where embedded PostgreSQL keeps its files (default `.pd-demo-data` in the current directory). */
  readonly dataDir?: string;
  /** A PostgreSQL server to use instead of PGlite (the demo uses its own schema there). */
  readonly url?: string;
  /** Start over: delete the data directory (or drop the demo schema on a server). */
  readonly reset?: boolean;
  /** Orders placed per run (default 5; every fifth is over the card limit and is declined). */
  readonly orders?: number;
  /** Where the report goes (default: stdout). */
  readonly write?: (text: string) => void;
  /** Whether `write` is a terminal (progress lines are redrawn in place). */
  readonly interactive?: boolean;
}

/** What one run did; the demo test asserts on it. */
export interface DemoSummary {
  readonly run: number;
  readonly storage: string;
  readonly commands: Readonly<Record<string, number>>;
  readonly failedCommands: Readonly<Record<string, number>>;
  readonly eventsBefore: number;
  readonly eventsAfter: number;
  readonly snapshots: number;
  /** `OrderPlaced` events in the store: the board must have exactly one row for each. */
  readonly ordersInStore: number;
  readonly board: { rows: number; byStatus: Record<string, number> };
  /** Events the board subscription handled this run, and the checkpoint it resumed from. */
  readonly boardDelivered: number;
  readonly boardResumedFrom: number;
  readonly legacyImported: number;
  readonly sagas: { completed: number; failed: number; other: number; reasons: string[] };
  /** Every saga state in the database (all runs), by status. */
  readonly storedSagas: Readonly<Record<string, number>>;
  readonly timingsMs: Readonly<Record<string, number>>;
}

const SCHEMA = 'pd_demo';
const CUSTOMERS = ['ada', 'grace', 'edsger', 'barbara', 'ken'];
// Minor units (cents). The third is over the card limit: its payment is declined and the saga
// compensates (releases the stock) and cancels the order.
const AMOUNTS = [2_500, 12_900, 149_900, 4_200, 9_900];

/**
 * The level-5 shop end to end, on embedded PostgreSQL by default: place orders, let the
 * subscriptions catch up (order board + fulfilment saga), print a summary. Data is kept, so a
 * second run continues where the first stopped.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const interactive = options.interactive ?? (options.write === undefined && process.stdout.isTTY);
  const timings: Record<string, number> = {};
  const started = performance.now();

  const step = async <T>(
    label: string,
    key: string,
    fn: (tick: (n: string) => void) => Promise<T>,
  ) => {
    const t0 = performance.now();
    const show = (detail: string) => {
      if (interactive) write(`\r\x1b[2K  … ${label}${detail}`);
    };
    show('');
    // Long steps (starting PGlite takes seconds) show a running clock on a terminal.
    const timer = interactive
      ? setInterval(() => show(` (${((performance.now() - t0) / 1000).toFixed(1)} s)`), 250)
      : undefined;
    try {
      const result = await fn((detail) => show(` ${detail}`));
      const ms = performance.now() - t0;
      timings[key] = ms;
      write(`${interactive ? '\r\x1b[2K' : ''}  ✓ ${label} (${formatMs(ms)})\n`);
      return result;
    } finally {
      if (timer) clearInterval(timer);
    }
  };

  const dataDir = resolve(options.dataDir ?? '.pd-demo-data');
  const url = options.url;
  write(
    `pd demo — the level-5 shop on ${url ? 'a PostgreSQL server' : `embedded PostgreSQL (PGlite) in ${dataDir}`}\n`,
  );

  if (options.reset && !url) rmSync(dataDir, { recursive: true, force: true });
  const { db, storage } = await step(
    url ? 'connecting to PostgreSQL' : 'starting embedded PostgreSQL',
    'open',
    () => openDatabase(url, dataDir),
  );
  try {
    if (options.reset && url) await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    const shop = await step('migrating the schema', 'migrate', () =>
      openShop({ db, schema: SCHEMA }),
    );

    await db.query(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA}.demo_runs (run serial PRIMARY KEY, started_at timestamptz NOT NULL DEFAULT now())`,
    );
    const [runRow] = await db.query<{ run: number }>(
      `INSERT INTO ${SCHEMA}.demo_runs DEFAULT VALUES RETURNING run`,
    );
    const run = Number(runRow?.run ?? 1);
    const eventsBefore = await countEvents(db);
    const boardResumedFrom = await shop.runner.checkpoint('order-board');

    // Run 1 only: two orders "imported from the first release", stored as OrderPlaced v1.
    const sagaIds: string[] = [];
    let legacyImported = 0;
    if (eventsBefore === 0) {
      await step(
        'importing 2 orders stored by the first release (OrderPlaced v1)',
        'legacy',
        async () => {
          for (const [i, customer] of ['linus', 'margaret'].entries()) {
            const orderId = crypto.randomUUID();
            await shop.eventStore.appendToStream(
              `Order-${orderId}`,
              [legacyOrderPlaced(orderId, customer, 3_000 + i * 1_000)],
              { expectedVersion: 'no_stream' },
            );
            sagaIds.push(orderId);
            legacyImported += 1;
          }
        },
      );
    }

    const count = options.orders ?? 5;
    await step(`placing ${count} orders`, 'commands', async (tick) => {
      for (let i = 0; i < count; i += 1) {
        tick(`${i + 1}/${count}`);
        const command = new PlaceOrder({
          customerId: `${CUSTOMERS[i % CUSTOMERS.length]}-${run}`,
          amount: AMOUNTS[i % AMOUNTS.length] ?? 1_000,
          currency: 'EUR',
        });
        await shop.bus.send(command);
        sagaIds.push(command.commandId); // the saga's correlation id
      }
    });

    const delivered = await step(
      'catching up: order board + fulfilment saga (reserve → charge → pay | cancel)',
      'catchUp',
      () => shop.catchUp(),
    );

    const sagas = { completed: 0, failed: 0, other: 0, reasons: [] as string[] };
    for (const id of sagaIds) {
      const state = await shop.sagaRepository.findByCorrelationId(id, 'OrderFulfilment');
      if (state?.status === SagaStatus.COMPLETED) sagas.completed += 1;
      else if (state?.status === SagaStatus.FAILED || state?.status === SagaStatus.COMPENSATED) {
        sagas.failed += 1;
        if (state.error) sagas.reasons.push(state.error);
      } else sagas.other += 1;
    }

    const summary: DemoSummary = {
      run,
      storage,
      commands: Object.fromEntries(shop.commands.handled),
      failedCommands: Object.fromEntries(shop.commands.failed),
      eventsBefore,
      eventsAfter: await countEvents(db),
      snapshots: await countRows(db, 'snapshots'),
      ordersInStore: await countRows(db, 'events', `event_type = 'OrderPlaced'`),
      board: await shop.board.summary(),
      boardDelivered: delivered.board,
      boardResumedFrom,
      legacyImported,
      sagas,
      storedSagas: await countByStatus(db),
      timingsMs: { ...timings, total: performance.now() - started },
    };
    write(report(summary, dataDir, Boolean(url)));
    return summary;
  } finally {
    await db.close();
  }
}

async function openDatabase(
  url: string | undefined,
  dataDir: string,
): Promise<{ db: SqlExecutor; storage: string }> {
  if (url) return { db: await connect({ url, poolSize: 4 }), storage: 'PostgreSQL server' };
  mkdirSync(dataDir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create(dataDir);
  return { db: fromPGlite(pglite, { ownsDatabase: true }), storage: `PGlite at ${dataDir}` };
}

async function countEvents(db: SqlExecutor): Promise<number> {
  return countRows(db, 'events');
}

async function countRows(db: SqlExecutor, table: string, where = 'true'): Promise<number> {
  const [row] = await db.query<{ n: number | string }>(
    `SELECT count(*) AS n FROM ${SCHEMA}.${table} WHERE ${where}`,
  );
  return Number(row?.n ?? 0);
}

async function countByStatus(db: SqlExecutor): Promise<Record<string, number>> {
  const rows = await db.query<{ status: string; n: number | string }>(
    `SELECT status, count(*) AS n FROM ${SCHEMA}.sagas GROUP BY status ORDER BY status`,
  );
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
}

function formatMs(ms: number): string {
  return ms >= 1_000 ? `${(ms / 1_000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function list(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${n}`).join(', ');
}

function report(s: DemoSummary, dataDir: string, server: boolean): string {
  const t = s.timingsMs;
  const handled = Object.values(s.commands).reduce((a, b) => a + b, 0);
  const lines = [
    '',
    `Run ${s.run}${s.run > 1 ? ' — continued from the stored data' : ' — fresh data'}`,
    `  storage           ${s.storage}, schema "${SCHEMA}"`,
    `  commands handled  ${handled}: ${list(s.commands)}`,
    `  commands failed   ${list(s.failedCommands)}`,
    `  events stored     ${s.eventsAfter} in total, +${s.eventsAfter - s.eventsBefore} this run${s.legacyImported ? ` (${s.legacyImported} imported as OrderPlaced v1, upcast to v2 on read)` : ''}`,
    `  snapshots         ${s.snapshots} aggregates (threshold policy: every 2 events)`,
    `  order board       ${s.board.rows} orders: ${list(s.board.byStatus)}; ${s.boardDelivered} events applied this run, resumed after position ${s.boardResumedFrom}`,
    `  sagas             ${s.sagas.completed} completed, ${s.sagas.failed} failed and compensated${s.sagas.other ? `, ${s.sagas.other} other` : ''}`,
    ...[...new Set(s.sagas.reasons)].map(
      (r) => `                    ↳ ${r} → stock released, order cancelled`,
    ),
    `  saga states       ${list(s.storedSagas)} (all runs, stored in PostgreSQL)`,
    `  timings           open ${formatMs(t.open ?? 0)} · migrate ${formatMs(t.migrate ?? 0)} · commands ${formatMs(t.commands ?? 0)} · catch-up ${formatMs(t.catchUp ?? 0)} · total ${formatMs(t.total ?? 0)}`,
    '',
    server
      ? 'Run again to continue; `pnpm demo --reset` drops the demo schema and starts over.'
      : `Run again to continue from ${dataDir}; \`pnpm demo --reset\` starts over.`,
    '',
  ];
  return lines.join('\n');
}
