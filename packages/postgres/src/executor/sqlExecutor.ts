/** Options of one query. */
export interface QueryOptions {
  /**
   * Name of a prepared statement. node-postgres parses and plans a named statement once per
   * connection and then only binds values; pd names the statements it runs on every append and
   * read. PGlite ignores it.
   */
  readonly name?: string;
}

/** Something that runs parameterised SQL: a pool, a PGlite instance, or an open transaction. */
export interface SqlQueryable {
  /**
   * Runs one statement with `$1…$n` placeholders bound to `params` (never interpolated) and returns
   * its rows. int8 columns arrive as strings (node-postgres) or numbers (PGlite): convert with
   * `Number()`.
   */
  query<TRow extends object = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<TRow[]>;
}

/**
 * The one database abstraction every pd PostgreSQL store takes. Build it with `fromPgPool`,
 * `fromPGlite` or `connect`; a transaction is an executor too, so a store built on it writes inside
 * that transaction.
 *
 * @example
 * const db = await connect({ url: 'postgres://localhost/app' });
 * await db.transaction(async (tx) => {
 *   await tx.query('insert into audit (message) values ($1)', ['hello']);
 *   await checkpoints.save('projection', 42, { tx });
 * });
 * await db.close();
 */
export interface SqlExecutor extends SqlQueryable {
  /** Which driver runs the SQL. */
  readonly kind: 'pg' | 'pglite';
  /** True for an open transaction (or savepoint) executor. */
  readonly inTransaction: boolean;
  /**
   * Runs `fn` in a transaction and commits when it resolves, rolls back when it throws. On a
   * transaction executor this opens a savepoint.
   */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * Opens a transaction that the caller ends with `commit()` or `rollback()` (a unit of work
   * spans several calls). On node-postgres it holds one pooled connection until then.
   */
  begin(): Promise<SqlTransaction>;
  /**
   * Calls `listener` for every NOTIFY on `channel` (LISTEN on a dedicated connection). Resolves
   * once listening; the returned function stops it.
   */
  listen(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>>;
  /** Releases the connections this executor owns. A transaction executor rolls back if still open. */
  close(): Promise<void>;
}

/** An open transaction (or savepoint). Ending it twice is a no-op. */
export interface SqlTransaction extends SqlExecutor {
  readonly inTransaction: true;
  /** False once committed or rolled back. */
  readonly isOpen: boolean;
  /**
   * Commits. When a statement inside failed (PostgreSQL aborted the transaction) it rolls back and
   * throws `TransactionAbortedError` instead of committing silently nothing.
   */
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
