import type { ClaimResult, CompletedCommand, ProcessedCommandStore } from '@pd/cqrs';
import { type Clock, domainDefaults, ValidationError } from '@pd/ddd';
import { resolveExecutor } from '../executor/ambientTransaction.js';
import type { SqlExecutor } from '../executor/sqlExecutor.js';
import { assertSchemaName, DEFAULT_SCHEMA, quoteIdent } from '../schema/identifier.js';

/** Options of {@link PostgresProcessedCommandStore}. */
export interface PostgresProcessedCommandStoreOptions {
  /** Schema holding the tables (default `'pd'`). */
  readonly schema?: string;
  /**
   * An in-flight claim older than this (ms) is considered abandoned by a crashed process and may be
   * claimed again (default 300 000: five minutes). Keep it above your longest command.
   */
  readonly claimTtlMs?: number;
  /** Stamps claims and completions. Default: the domain defaults' clock. */
  readonly clock?: Clock;
}

const OWNER = 'PostgresProcessedCommandStore';

/**
 * The cqrs {@link ProcessedCommandStore} on PostgreSQL, for `IdempotencyBehavior`.
 *
 * - `claim` commits at once (its own statement), so a duplicate arriving from another process
 *   sees the command in flight;
 * - `complete` runs in the command's transaction when called from a {@link PostgresUnitOfWork}'s
 *   commit chain (where `IdempotencyBehavior` calls it), so the record commits with the state;
 * - `release` (after a rollback) deletes the claim so a retry runs again;
 * - a claim older than `claimTtlMs` is taken over: its process is presumed dead.
 *
 * Results are stored as JSON: give commands JSON-serialisable results.
 */
export class PostgresProcessedCommandStore implements ProcessedCommandStore {
  readonly #executor: SqlExecutor;
  readonly #options: PostgresProcessedCommandStoreOptions;
  readonly #ttlMs: number;
  readonly #claim: string;
  readonly #complete: string;
  readonly #release: string;
  readonly #get: string;

  constructor(executor: SqlExecutor, options: PostgresProcessedCommandStoreOptions = {}) {
    const s = quoteIdent(assertSchemaName(options.schema ?? DEFAULT_SCHEMA, OWNER));
    const ttl = options.claimTtlMs ?? 300_000;
    if (!Number.isSafeInteger(ttl) || ttl <= 0)
      throw ValidationError.of(OWNER, 'claimTtlMs', 'must be a positive integer');
    this.#ttlMs = ttl;
    this.#executor = executor;
    this.#options = options;
    this.#claim = `WITH ins AS (
        INSERT INTO ${s}.processed_commands AS pc (command_id, status, claimed_at) VALUES ($1, 'in_flight', $2)
        ON CONFLICT (command_id) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
        WHERE pc.status = 'in_flight' AND pc.claimed_at < $3
        RETURNING 1
      )
      SELECT EXISTS (SELECT 1 FROM ins) AS claimed, pc.status, pc.result
      FROM (SELECT 1) one LEFT JOIN ${s}.processed_commands pc ON pc.command_id = $1`;
    this.#complete = `INSERT INTO ${s}.processed_commands AS pc (command_id, status, result, claimed_at, completed_at)
      VALUES ($1, 'completed', $2::jsonb, $3, $3)
      ON CONFLICT (command_id) DO UPDATE SET status = 'completed', result = EXCLUDED.result, completed_at = EXCLUDED.completed_at`;
    this.#release = `DELETE FROM ${s}.processed_commands WHERE command_id = $1`;
    this.#get = `SELECT result FROM ${s}.processed_commands WHERE command_id = $1 AND status = 'completed'`;
  }

  /** The same store writing through `executor` (e.g. an open transaction). */
  withExecutor(executor: SqlExecutor): PostgresProcessedCommandStore {
    return new PostgresProcessedCommandStore(executor, this.#options);
  }

  async get(commandId: string): Promise<CompletedCommand | undefined> {
    assertId(commandId);
    const [row] = await resolveExecutor(this.#executor).query<{ result: { v?: unknown } | null }>(
      this.#get,
      [commandId],
    );
    return row === undefined ? undefined : { completed: row.result?.v };
  }

  async claim(commandId: string): Promise<ClaimResult> {
    assertId(commandId);
    const now = this.#now();
    const [row] = await resolveExecutor(this.#executor).query<{
      claimed: boolean;
      status: string | null;
      result: { v?: unknown } | null;
    }>(this.#claim, [commandId, now, new Date(now.getTime() - this.#ttlMs)]);
    if (row?.claimed === true) return 'claimed';
    // Not claimed: completed, in flight, or claimed by a transaction we cannot see yet (in flight).
    return row?.status === 'completed' ? { completed: row.result?.v } : 'in-flight';
  }

  async complete(commandId: string, result: unknown): Promise<void> {
    assertId(commandId);
    let json: string;
    try {
      json = JSON.stringify({ v: result });
    } catch (error) {
      throw new ValidationError(
        OWNER,
        [
          {
            field: 'result',
            message: `must be JSON-serialisable: ${(error as Error).message}`,
            code: 'custom',
          },
        ],
        { cause: error },
      );
    }
    await resolveExecutor(this.#executor).query(this.#complete, [commandId, json, this.#now()]);
  }

  async release(commandId: string): Promise<void> {
    assertId(commandId);
    await resolveExecutor(this.#executor).query(this.#release, [commandId]);
  }

  async contains(commandId: string): Promise<boolean> {
    return (await this.get(commandId)) !== undefined;
  }

  #now(): Date {
    return (this.#options.clock ?? domainDefaults().clock).now();
  }
}

function assertId(value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\u0000')) {
    throw ValidationError.of(
      OWNER,
      'commandId',
      'must be a non-empty string without NUL characters',
    );
  }
}
