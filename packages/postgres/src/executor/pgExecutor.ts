import { wantsArrayRows } from './rowsAsArrays.js';
import type { QueryOptions, SqlExecutor, SqlTransaction } from './sqlExecutor.js';
import { TransactionHandle } from './transactionHandle.js';

/** A query as node-postgres takes it. */
export interface PgQueryConfig {
  readonly text: string;
  readonly values?: unknown[];
  readonly name?: string;
}

/** The part of a node-postgres `PoolClient` pd uses. */
export interface PgPoolClientLike {
  query(config: PgQueryConfig): Promise<{ rows: object[] }>;
  release(destroy?: boolean | Error): void;
  /** node-postgres emits `'notification'` ({ channel, payload }) and `'error'` (an Error). */
  on(event: 'notification' | 'error', listener: (arg: never) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/** The part of a node-postgres `Pool` pd uses (a `pg.Pool` fits). */
export interface PgPoolLike {
  query(config: PgQueryConfig): Promise<{ rows: object[] }>;
  connect(): Promise<PgPoolClientLike>;
  end(): Promise<void>;
}

/** Options of {@link fromPgPool}. */
export interface FromPgPoolOptions {
  /** End the pool on `close()` (default false: the caller owns it). */
  readonly ownsPool?: boolean;
  /** Wait before re-opening a broken LISTEN connection, in ms (default 1000). */
  readonly listenRetryMs?: number;
}

/**
 * A {@link SqlExecutor} over a node-postgres pool. Plain queries take any pooled connection;
 * a transaction holds one connection from BEGIN to COMMIT; LISTEN uses one more dedicated
 * connection, opened on the first `listen` and re-opened (listeners are woken) if it breaks.
 *
 * @example
 * import pg from 'pg';
 * const db = fromPgPool(new pg.Pool({ connectionString: process.env.DATABASE_URL }), { ownsPool: true });
 */
export function fromPgPool(pool: PgPoolLike, options: FromPgPoolOptions = {}): SqlExecutor {
  return new PgPoolExecutor(pool, options);
}

function toConfig(text: string, params: readonly unknown[], options?: QueryOptions): PgQueryConfig {
  const config: PgQueryConfig & { rowMode?: 'array' } =
    options?.name === undefined
      ? { text, values: params as unknown[] }
      : { text, values: params as unknown[], name: options.name };
  // node-postgres' own option; a pool that ignores it returns objects, which pd reads too.
  if (wantsArrayRows(options)) config.rowMode = 'array';
  return config;
}

class PgPoolExecutor implements SqlExecutor {
  readonly kind = 'pg' as const;
  readonly inTransaction = false;
  readonly #pool: PgPoolLike;
  readonly #options: FromPgPoolOptions;
  readonly #listeners = new Map<string, Set<(payload: string) => void>>();
  #listenClient: Promise<PgPoolClientLike> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(pool: PgPoolLike, options: FromPgPoolOptions) {
    this.#pool = pool;
    this.#options = options;
  }

  async query<TRow extends object = Record<string, unknown>>(
    text: string,
    params: readonly unknown[] = [],
    options?: QueryOptions,
  ): Promise<TRow[]> {
    const result = await this.#pool.query(toConfig(text, params, options));
    return result.rows as TRow[];
  }

  async begin(): Promise<SqlTransaction> {
    const client = await this.#pool.connect();
    try {
      await client.query({ text: 'BEGIN' });
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
    let released = false;
    return new TransactionHandle(this, {
      run: async (text, params, options) =>
        (await client.query(toConfig(text, params, options))).rows,
      end: async (commit) => {
        if (released) return;
        released = true;
        try {
          await client.query({ text: commit ? 'COMMIT' : 'ROLLBACK' });
          client.release();
        } catch (error) {
          // A connection whose COMMIT/ROLLBACK failed is in an unknown state: destroy it.
          client.release(error instanceof Error ? error : true);
          throw error;
        }
      },
    });
  }

  async transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const tx = await this.begin();
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      await tx.rollback();
      throw error;
    }
    await tx.commit();
    return result;
  }

  async listen(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.#listeners.get(channel);
    const first = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(listener);
    if (first) {
      const client = await this.#ensureListenClient();
      await client.query({ text: `LISTEN ${quoteChannel(channel)}` });
    } else {
      await this.#ensureListenClient();
    }
    return async () => {
      const current = this.#listeners.get(channel);
      if (current === undefined || !current.delete(listener) || current.size > 0) return;
      this.#listeners.delete(channel);
      const client = await this.#listenClient?.catch(() => undefined);
      if (client !== undefined && !this.#closed) {
        await client.query({ text: `UNLISTEN ${quoteChannel(channel)}` }).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#listeners.clear();
    const client = await this.#listenClient?.catch(() => undefined);
    this.#listenClient = undefined;
    if (client !== undefined) {
      client.removeAllListeners('notification');
      client.removeAllListeners('error');
      client.release(true);
    }
    if (this.#options.ownsPool === true) await this.#pool.end();
  }

  #ensureListenClient(): Promise<PgPoolClientLike> {
    this.#listenClient ??= this.#openListenClient();
    return this.#listenClient;
  }

  async #openListenClient(): Promise<PgPoolClientLike> {
    const client = await this.#pool.connect();
    client.on('notification', (message: { channel: string; payload?: string }) => {
      for (const listener of this.#listeners.get(message.channel) ?? [])
        listener(message.payload ?? '');
    });
    client.on('error', () => {
      client.removeAllListeners('notification');
      client.removeAllListeners('error');
      client.release(true);
      this.#listenClient = undefined;
      this.#scheduleReconnect();
    });
    return client;
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#listeners.size === 0) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#reconnect();
    }, this.#options.listenRetryMs ?? 1000);
    this.#retryTimer.unref();
  }

  async #reconnect(): Promise<void> {
    try {
      const client = await this.#ensureListenClient();
      for (const channel of this.#listeners.keys()) {
        await client.query({ text: `LISTEN ${quoteChannel(channel)}` });
      }
      // Notifications sent while disconnected are lost: wake everyone so they look for themselves.
      for (const set of this.#listeners.values()) for (const listener of set) listener('');
    } catch {
      this.#listenClient = undefined;
      this.#scheduleReconnect();
    }
  }
}

/** Channels are identifiers in LISTEN; pd's are built from validated schema names. */
export function quoteChannel(channel: string): string {
  return `"${channel.replaceAll('"', '""')}"`;
}
