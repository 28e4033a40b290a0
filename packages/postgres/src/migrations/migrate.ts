import type { SqlExecutor } from '../executor/sqlExecutor.js';
import { assertSchemaName, DEFAULT_SCHEMA, int32Hash, quoteIdent } from '../schema/identifier.js';
import { MIGRATIONS } from './migrations.js';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** The schema to create and migrate (default `'pd'`). */
  readonly schema?: string;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  readonly schema: string;
  /** Versions applied by this call (empty when the schema was up to date). */
  readonly applied: readonly number[];
  /** The schema's version now. */
  readonly version: number;
}

/** The newest schema version this release of `@pd/postgres` knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

const MIGRATION_LOCK = int32Hash('pd:migrate');

/**
 * Creates the schema if needed and applies the migrations it lacks, all in one transaction.
 * Idempotent, and safe to run from several processes at once: a transaction-level advisory lock
 * per schema makes concurrent runs take turns, and the later ones find nothing to do. Each
 * applied version is recorded in `<schema>.pd_migrations`.
 *
 * @example
 * await migrate(db, { schema: 'shop' }); // { applied: [1, 2, 3], version: 3 } the first time
 */
export async function migrate(
  executor: SqlExecutor,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA, 'MigrateOptions');
  const s = quoteIdent(schema);
  return executor.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::int4, $2::int4)', [
      MIGRATION_LOCK,
      int32Hash(schema),
    ]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${s}.pd_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const rows = await tx.query<{ version: number }>(`SELECT version FROM ${s}.pd_migrations`);
    const done = new Set(rows.map((row) => Number(row.version)));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements(schema)) await tx.query(statement);
      await tx.query(`INSERT INTO ${s}.pd_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return { schema, applied, version: Math.max(0, ...done, ...applied) };
  });
}
