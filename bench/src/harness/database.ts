import { PGlite } from '@electric-sql/pglite';
import { fromPGlite, fromPgPool, migrate, type SqlExecutor } from '@pd/postgres';
import pg from 'pg';
import type { PostgresInfo } from './report.js';
import type { PgTarget } from './types.js';

/** The PostgreSQL target of this run: the server of `PD_POSTGRES_URL`, else PGlite. */
export function pgTargetFromEnv(env: NodeJS.ProcessEnv = process.env): PgTarget {
  const url = env.PD_POSTGRES_URL;
  return url !== undefined && url !== '' ? { kind: 'server', url } : { kind: 'pglite' };
}

/** A human label of the target, with the password masked. */
export function describeTarget(target: PgTarget): string {
  if (target.kind === 'pglite') return 'PGlite (embedded, in-memory WASM PostgreSQL)';
  return `PostgreSQL server ${target.url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`;
}

/**
 * One fresh, migrated schema on the target, shared by a case's pd side (`executor`) and its
 * baseline (`raw`, straight on the driver, no pd code). Both sides get the same tables and
 * indexes, the ones `migrate` creates, so a ratio measures the library and not the layout.
 */
export interface BenchDatabase {
  readonly target: PgTarget;
  /** The pd side: a `SqlExecutor` over the same pool / PGlite instance. */
  readonly executor: SqlExecutor;
  readonly schema: string;
  /** `"schema"` for SQL text. */
  readonly s: string;
  /**
   * Runs SQL on the driver itself: `pg.Pool#query` (a named prepared statement when `name` is
   * given, as a careful hand-written repository would do) or `PGlite#query`.
   */
  raw<TRow = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    name?: string,
  ): Promise<TRow[]>;
  /** Drops the schema and closes the connections. */
  close(): Promise<void>;
}

/** Opens the target and creates a fresh schema `bench_<prefix>_<pid>_<random>` with pd's tables. */
export async function openDatabase(target: PgTarget, prefix: string): Promise<BenchDatabase> {
  const schema = `bench_${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let executor: SqlExecutor;
  let raw: BenchDatabase['raw'];
  let end: () => Promise<void>;
  if (target.kind === 'server') {
    const pool = new pg.Pool({ connectionString: target.url, max: 10 });
    pool.on('error', () => undefined);
    executor = fromPgPool(pool);
    raw = async (text, params = [], name) => {
      const result = await pool.query(
        name === undefined
          ? { text, values: params as unknown[] }
          : { text, values: params as unknown[], name },
      );
      return result.rows;
    };
    end = () => pool.end();
  } else {
    const shared = target.shared;
    const db = shared ?? (await PGlite.create());
    executor = fromPGlite(db);
    raw = async (text, params = []) => (await db.query(text, params as unknown[])).rows as never;
    end = async () => {
      if (shared === undefined) await db.close();
    };
  }
  await migrate(executor, { schema });
  return {
    target,
    executor,
    schema,
    s: `"${schema}"`,
    raw,
    async close() {
      try {
        await executor.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await end();
      }
    },
  };
}

/** Which PostgreSQL the target runs, and how it is configured. */
export async function postgresInfo(pgTarget: PgTarget): Promise<PostgresInfo> {
  const description = describeTarget(pgTarget);
  if (pgTarget.kind === 'server') {
    const client = new pg.Client({ connectionString: pgTarget.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ v: string; f: string; s: string }>(
        "SELECT current_setting('server_version') AS v, current_setting('fsync') AS f, current_setting('synchronous_commit') AS s",
      );
      const row = rows[0];
      return {
        kind: 'server',
        description,
        version: `PostgreSQL ${row?.v}, fsync=${row?.f}, synchronous_commit=${row?.s}, loopback TCP`,
      };
    } finally {
      await client.end();
    }
  }
  const db = await PGlite.create();
  try {
    const { rows } = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return { kind: 'pglite', description, version: `PGlite 0.5.17, PostgreSQL ${rows[0]?.v}` };
  } finally {
    await db.close();
  }
}
