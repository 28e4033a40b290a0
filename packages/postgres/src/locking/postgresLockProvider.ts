import {
  type AcquireOptions,
  InMemoryLockProvider,
  LockNotHeldError,
  type LockProvider,
  LockTimeoutError,
} from '@pd/cqrs';
import { ValidationError } from '@pd/ddd';
import { pgErrorFields, SqlState } from '../errors/postgresErrors.js';
import type { SqlExecutor, SqlTransaction } from '../executor/sqlExecutor.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../schema/identifier.js';

/** Options of {@link PostgresLockProvider}. */
export interface PostgresLockProviderOptions {
  /** Namespaces the lock keys, so two applications on one database do not collide (default `'pd'`). */
  readonly schema?: string;
  /** Timeout for `acquire` calls that name none, in ms. Default: wait forever. */
  readonly defaultTimeoutMs?: number;
}

const OWNER = 'PostgresLockProvider';
const LOCK_SQL = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';

/**
 * A cqrs {@link LockProvider} on PostgreSQL advisory locks: mutual exclusion across every process
 * that shares the database. Each held key is a transaction-level advisory lock
 * (`pg_advisory_xact_lock`) on its own pooled connection, so it is released by `release`, and
 * also by PostgreSQL if the process dies. Waiting happens in the server (no polling), bounded by
 * `lock_timeout` when `timeoutMs` is given (then `LockTimeoutError`). Every held key uses a
 * connection: size the pool for it.
 *
 * With PGlite (one process, one connection) it falls back to an in-process lock.
 *
 * To lock for exactly the life of a transaction you already have, use {@link lockInTransaction}.
 */
export class PostgresLockProvider implements LockProvider {
  readonly #executor: SqlExecutor;
  readonly #namespace: string;
  readonly #defaultTimeoutMs: number | undefined;
  readonly #held = new Map<string, SqlTransaction>();
  readonly #local: InMemoryLockProvider | undefined;

  constructor(executor: SqlExecutor, options: PostgresLockProviderOptions = {}) {
    this.#namespace = assertSchemaName(options.schema ?? DEFAULT_SCHEMA, OWNER);
    assertTimeout(options.defaultTimeoutMs);
    this.#executor = executor;
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
    this.#local =
      executor.kind === 'pglite'
        ? new InMemoryLockProvider(
            options.defaultTimeoutMs === undefined
              ? {}
              : { defaultTimeoutMs: options.defaultTimeoutMs },
          )
        : undefined;
  }

  async acquire(key: string, options: AcquireOptions = {}): Promise<void> {
    assertKey(key);
    assertTimeout(options.timeoutMs);
    if (this.#local !== undefined) return this.#local.acquire(key, options);
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    const tx = await this.#executor.begin();
    try {
      await lockIn(tx, `${this.#namespace}:${key}`, key, timeoutMs);
    } catch (error) {
      await tx.rollback().catch(() => undefined);
      throw error;
    }
    this.#held.set(key, tx);
  }

  async release(key: string): Promise<void> {
    assertKey(key);
    if (this.#local !== undefined) return this.#local.release(key);
    const tx = this.#held.get(key);
    if (tx === undefined) throw new LockNotHeldError(key);
    this.#held.delete(key);
    await tx.rollback();
  }

  /** Releases every key this provider holds (at shutdown). */
  async releaseAll(): Promise<void> {
    const held = [...this.#held.values()];
    this.#held.clear();
    await Promise.all(held.map((tx) => tx.rollback().catch(() => undefined)));
  }
}

/**
 * Takes the advisory lock of `key` inside the open transaction `tx`; PostgreSQL releases it when
 * `tx` commits or rolls back. Use it from a unit of work to serialise work on one aggregate
 * across processes: `await lockInTransaction(uow.executor, orderId, { schema: 'shop' })`.
 */
export async function lockInTransaction(
  tx: SqlExecutor,
  key: string,
  options: { readonly schema?: string; readonly timeoutMs?: number } = {},
): Promise<void> {
  assertKey(key);
  assertTimeout(options.timeoutMs);
  if (!tx.inTransaction)
    throw ValidationError.of('lockInTransaction', 'tx', 'must be an open transaction');
  const namespace = assertSchemaName(options.schema ?? DEFAULT_SCHEMA, 'lockInTransaction');
  await lockIn(tx, `${namespace}:${key}`, key, options.timeoutMs);
}

async function lockIn(
  tx: SqlExecutor,
  lockKey: string,
  key: string,
  timeoutMs: number | undefined,
): Promise<void> {
  if (timeoutMs !== undefined) {
    await tx.query("SELECT set_config('lock_timeout', $1, true)", [
      `${Math.max(1, Math.ceil(timeoutMs))}ms`,
    ]);
  }
  try {
    await tx.query(LOCK_SQL, [lockKey]);
  } catch (error) {
    if (pgErrorFields(error)?.code === SqlState.LockNotAvailable) {
      throw new LockTimeoutError(key, timeoutMs ?? 0);
    }
    throw error;
  }
  if (timeoutMs !== undefined) await tx.query("SELECT set_config('lock_timeout', '0', true)");
}

function assertKey(key: unknown): void {
  if (typeof key !== 'string' || key === '' || key.includes('\u0000')) {
    throw ValidationError.of(
      'LockProvider.acquire',
      'key',
      'a lock key must be a non-empty string',
    );
  }
}

function assertTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs < 0)) {
    throw ValidationError.of(OWNER, 'timeoutMs', 'must be a non-negative number of milliseconds');
  }
}
