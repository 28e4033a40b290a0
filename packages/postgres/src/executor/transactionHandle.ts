import { TransactionAbortedError } from '../errors/postgresErrors.js';
import { AFTER_COMMIT, ROOT_EXECUTOR, runCallbacks } from './afterCommit.js';
import type { QueryOptions, SqlExecutor, SqlTransaction } from './sqlExecutor.js';

/** The driver-level pieces a transaction needs: run a statement on its connection, end it. */
export interface TransactionDriver {
  run(
    text: string,
    params: readonly unknown[],
    options: QueryOptions | undefined,
  ): Promise<object[]>;
  /** Ends the top-level transaction: COMMIT (`true`) or ROLLBACK (`false`), and frees the connection. */
  end(commit: boolean): Promise<void>;
}

/**
 * A transaction over one connection, shared by the node-postgres and PGlite adapters. It tracks
 * failed statements (PostgreSQL turns COMMIT of an aborted transaction into a silent ROLLBACK) and
 * maps nested transactions to savepoints.
 */
export class TransactionHandle implements SqlTransaction {
  readonly inTransaction = true as const;
  readonly kind: 'pg' | 'pglite';
  readonly #driver: TransactionDriver;
  readonly #root: SqlExecutor;
  readonly #parent: TransactionHandle | undefined;
  readonly #savepoint: string | undefined;
  #open = true;
  /** First failure of a statement run at this level. */
  #ownFailure: { error: unknown } | undefined;
  /** A failure inside a nested savepoint that was not rolled back yet. */
  #childFailure: { error: unknown } | undefined;
  #savepoints = 0;
  #busy = false;
  /** Work for after the top-level COMMIT; a savepoint hands its list to its parent on release. */
  #afterCommit: (() => void)[] | undefined;

  constructor(
    root: SqlExecutor,
    driver: TransactionDriver,
    parent?: TransactionHandle,
    savepoint?: string,
  ) {
    this.kind = root.kind;
    this.#root = root;
    this.#driver = driver;
    this.#parent = parent;
    this.#savepoint = savepoint;
  }

  /** The pool (or PGlite) executor this transaction runs on. */
  get [ROOT_EXECUTOR](): SqlExecutor {
    return this.#root;
  }

  /** Runs `callback` once the top-level transaction has committed; never after a rollback. */
  [AFTER_COMMIT](callback: () => void): boolean {
    this.#assertUsable();
    this.#afterCommit ??= [];
    this.#afterCommit.push(callback);
    return true;
  }

  get isOpen(): boolean {
    return this.#open && (this.#parent === undefined || this.#parent.isOpen);
  }

  async query<TRow extends object = Record<string, unknown>>(
    text: string,
    params: readonly unknown[] = [],
    options?: QueryOptions,
  ): Promise<TRow[]> {
    this.#assertUsable();
    try {
      return (await this.#driver.run(text, params, options)) as TRow[];
    } catch (error) {
      this.#ownFailure ??= { error };
      for (let p = this.#parent; p !== undefined; p = p.#parent) p.#childFailure ??= { error };
      throw error;
    }
  }

  async begin(): Promise<SqlTransaction> {
    this.#assertUsable();
    const name = `pd_sp_${++this.#savepoints}`;
    await this.query(`SAVEPOINT ${name}`);
    this.#busy = true;
    return new TransactionHandle(this.#root, this.#driver, this, name);
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
    return this.#root.listen(channel, listener);
  }

  async commit(): Promise<void> {
    if (!this.#open) return;
    const failure = this.#ownFailure ?? this.#childFailure;
    if (failure !== undefined) {
      await this.rollback();
      throw new TransactionAbortedError(failure.error);
    }
    this.#open = false;
    const parent = this.#parent;
    const callbacks = this.#afterCommit;
    this.#afterCommit = undefined;
    if (parent === undefined) {
      await this.#driver.end(true);
      runCallbacks(callbacks);
      return;
    }
    parent.#busy = false;
    await parent.query(`RELEASE SAVEPOINT ${this.#savepoint}`);
    if (callbacks !== undefined)
      parent.#afterCommit = [...(parent.#afterCommit ?? []), ...callbacks];
  }

  async rollback(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.#afterCommit = undefined;
    const parent = this.#parent;
    if (parent === undefined) {
      await this.#driver.end(false);
      return;
    }
    parent.#busy = false;
    if (!parent.isOpen) return;
    await parent.query(`ROLLBACK TO SAVEPOINT ${this.#savepoint}`);
    // The savepoint rollback leaves the enclosing transaction usable again.
    for (let p: TransactionHandle | undefined = parent; p !== undefined; p = p.#parent) {
      p.#childFailure = undefined;
    }
    await parent.query(`RELEASE SAVEPOINT ${this.#savepoint}`);
  }

  close(): Promise<void> {
    return this.rollback();
  }

  #assertUsable(): void {
    if (!this.isOpen) throw new Error('pd: this transaction is already committed or rolled back');
    if (this.#busy)
      throw new Error('pd: this transaction has an open savepoint; use the nested transaction');
  }
}
