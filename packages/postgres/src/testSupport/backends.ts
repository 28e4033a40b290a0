// Test fixtures shared by this package's tests (not exported from the package).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { fromPgPool } from '../executor/pgExecutor.js';
import { fromPGlite, type PGliteLike } from '../executor/pgliteExecutor.js';
import type { SqlExecutor } from '../executor/sqlExecutor.js';
import { migrate } from '../migrations/migrate.js';

/** The server URL of the `*.int.test.ts` files and of the server half of the contract suites. */
export const serverUrl: string | undefined = process.env.PD_POSTGRES_URL || undefined;

let warned = false;
/** Says loudly that the server half is skipped (once per file). */
export function warnWithoutServer(what: string): void {
  if (serverUrl !== undefined || warned) return;
  warned = true;
  console.warn(
    `[@pd/postgres] PD_POSTGRES_URL is not set: skipping ${what} against a PostgreSQL server`,
  );
}

/** One database the suites run against: opened once per test file, a fresh schema per test. */
export interface Backend {
  readonly name: 'pglite' | 'server';
  open(): Promise<SqlExecutor>;
  close(): Promise<void>;
}

/**
 * Makes an in-memory PGlite, from `loadDataDir` when given: `(options) => PGlite.create(options)`
 * (the test file imports `@electric-sql/pglite`, a dev dependency).
 */
export type CreatePGlite = (options?: { loadDataDir: Blob }) => Promise<PGliteLike>;

/** Starts PGlite from the template data directory of vitest.globalSetup.config.ts, if any. */
async function startPGlite(create: CreatePGlite): Promise<PGliteLike> {
  const template = process.env.PD_PGLITE_TEMPLATE;
  if (template === undefined || !existsSync(template)) return create();
  return create({ loadDataDir: new Blob([await readFile(template)]) });
}

function pgliteBackend(create: CreatePGlite): Backend {
  let db: PGliteLike | undefined;
  return {
    name: 'pglite',
    async open() {
      db ??= await startPGlite(create);
      return fromPGlite(db);
    },
    async close() {
      await db?.close();
      db = undefined;
    },
  };
}

/** A pool on the test server (`poolSize` connections). */
export function serverPool(poolSize = 12): pg.Pool {
  const pool = new pg.Pool({ connectionString: serverUrl, max: poolSize });
  pool.on('error', () => undefined);
  return pool;
}

function serverBackend(): Backend {
  let executor: SqlExecutor | undefined;
  return {
    name: 'server',
    async open() {
      executor ??= fromPgPool(serverPool(), { ownsPool: true });
      return executor;
    },
    async close() {
      await executor?.close();
      executor = undefined;
    },
  };
}

/** PGlite always, plus the server when `PD_POSTGRES_URL` is set. */
export function backends(what: string, createPGlite: CreatePGlite): Backend[] {
  warnWithoutServer(what);
  const pglite = pgliteBackend(createPGlite);
  return serverUrl === undefined ? [pglite] : [pglite, serverBackend()];
}

let counter = 0;
/** A unique schema name for one test. */
export function randomSchema(prefix = 't'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Creates and migrates a fresh schema; returns it and a function that drops it. */
export async function freshSchema(
  db: SqlExecutor,
  prefix?: string,
): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = randomSchema(prefix);
  await migrate(db, { schema });
  return {
    schema,
    drop: () => db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).then(() => undefined),
  };
}
