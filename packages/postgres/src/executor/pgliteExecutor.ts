import type { QueryOptions, SqlExecutor, SqlTransaction } from './sqlExecutor.js';
import { TransactionHandle } from './transactionHandle.js';

/** The part of a PGlite transaction pd uses. */
export interface PGliteTransactionLike {
  query(text: string, params?: unknown[]): Promise<{ rows: object[] }>;
  rollback(): Promise<void>;
}

/**
 * The part of a PGlite instance pd uses (an `@electric-sql/pglite` `PGlite` fits). Declared here
 * so that `@pd/postgres` does not load PGlite unless you do: it is an optional peer dependency.
 */
export interface PGliteLike {
  query(text: string, params?: unknown[]): Promise<{ rows: object[] }>;
  transaction<T>(fn: (tx: PGliteTransactionLike) => Promise<T>): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Options of {@link fromPGlite}. */
export interface FromPGliteOptions {
  /** Close the PGlite instance on `close()` (default false: the caller owns it). */
  readonly ownsDatabase?: boolean;
}

/**
 * A {@link SqlExecutor} over an embedded PGlite database (PostgreSQL compiled to WebAssembly, in
 * this process). Same SQL, same stores, no server. PGlite is one connection: a transaction holds
 * it exclusively, so other queries on the same instance wait until it ends.
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite';
 * const db = fromPGlite(await PGlite.create('./data/pd'), { ownsDatabase: true });
 */
export function fromPGlite(db: PGliteLike, options: FromPGliteOptions = {}): SqlExecutor {
  return new PGliteExecutor(db, options);
}

class PGliteExecutor implements SqlExecutor {
  readonly kind = 'pglite' as const;
  readonly inTransaction = false;
  readonly #db: PGliteLike;
  readonly #options: FromPGliteOptions;
  #closed = false;

  constructor(db: PGliteLike, options: FromPGliteOptions) {
    this.#db = db;
    this.#options = options;
  }

  async query<TRow extends object = Record<string, unknown>>(
    text: string,
    params: readonly unknown[] = [],
    _options?: QueryOptions,
  ): Promise<TRow[]> {
    return (await this.#db.query(text, params as unknown[])).rows as TRow[];
  }

  async begin(): Promise<SqlTransaction> {
    // PGlite only offers callback transactions (they hold its connection lock). Keep the callback
    // pending until the caller decides, so begin/commit can span several calls.
    let opened!: (tx: PGliteTransactionLike) => void;
    let decide!: (commit: boolean) => void;
    const ready = new Promise<PGliteTransactionLike>((resolve) => {
      opened = resolve;
    });
    const decision = new Promise<boolean>((resolve) => {
      decide = resolve;
    });
    const finished = this.#db.transaction(async (tx) => {
      opened(tx);
      if (!(await decision)) await tx.rollback();
    });
    const tx = await Promise.race([
      ready,
      finished.then(() => Promise.reject(new Error('pd: PGlite transaction ended early'))),
    ]);
    let ended = false;
    return new TransactionHandle(this, {
      run: async (text, params) => (await tx.query(text, params as unknown[])).rows,
      end: async (commit) => {
        if (ended) return;
        ended = true;
        decide(commit);
        await finished;
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

  listen(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>> {
    return this.#db.listen(channel, listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#options.ownsDatabase === true) await this.#db.close();
  }
}
