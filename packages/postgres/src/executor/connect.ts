import { ValidationError } from '@pd/ddd';
import pg from 'pg';
import { PostgresConfigError } from '../errors/postgresErrors.js';
import { fromPgPool } from './pgExecutor.js';
import type { SqlExecutor } from './sqlExecutor.js';

/** The environment variable {@link connect} reads when no `url` is given. */
export const POSTGRES_URL_ENV = 'PD_POSTGRES_URL';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** A `postgres://` connection URL. Default: the `PD_POSTGRES_URL` environment variable. */
  readonly url?: string;
  /** Most connections the pool opens (default 10). LISTEN and open transactions each hold one. */
  readonly poolSize?: number;
  /** Server-side `statement_timeout` for every statement, in ms (default: none). */
  readonly statementTimeoutMs?: number;
  /** Reported in `pg_stat_activity` (default `'pd'`). */
  readonly applicationName?: string;
  /** Where to read `PD_POSTGRES_URL` (default `process.env`; inject it in tests). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const positiveInt = (value: number | undefined, field: string): void => {
  if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
    throw ValidationError.of('ConnectOptions', field, 'must be a positive integer');
  }
};

/**
 * Opens a node-postgres pool and returns it as a {@link SqlExecutor} that owns it (`close()` ends
 * the pool). Checks the connection with one round trip, so a wrong URL fails here.
 *
 * @example
 * const db = await connect({ statementTimeoutMs: 5_000 }); // uses PD_POSTGRES_URL
 * await migrate(db, { schema: 'shop' });
 */
export async function connect(options: ConnectOptions = {}): Promise<SqlExecutor> {
  const url = options.url ?? (options.env ?? process.env)[POSTGRES_URL_ENV];
  if (url === undefined || url === '') {
    throw new PostgresConfigError(
      `No PostgreSQL URL: pass { url } to connect() or set the ${POSTGRES_URL_ENV} environment variable`,
    );
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw ValidationError.of('ConnectOptions', 'url', 'must be a postgres:// or postgresql:// URL');
  }
  positiveInt(options.poolSize, 'poolSize');
  positiveInt(options.statementTimeoutMs, 'statementTimeoutMs');
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'pd',
    ...(options.statementTimeoutMs === undefined
      ? {}
      : { statement_timeout: options.statementTimeoutMs }),
  });
  // An idle pooled connection that dies (server restart) must not crash the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new PostgresConfigError(`Cannot connect to PostgreSQL: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return fromPgPool(pool, { ownsPool: true });
}
