import { type Clock, domainDefaults, ValidationError } from '@pd/ddd';
import type { CheckpointStore } from '@pd/eventsourcing';
import { resolveExecutor } from '../executor/ambientTransaction.js';
import type { SqlExecutor } from '../executor/sqlExecutor.js';
import { assertSchemaName, DEFAULT_SCHEMA, quoteIdent } from '../schema/identifier.js';

/** Options of {@link PostgresCheckpointStore}. */
export interface PostgresCheckpointStoreOptions {
  /** Schema holding the tables (default `'pd'`). */
  readonly schema?: string;
  /** Stamps `updated_at`. Default: the domain defaults' clock. */
  readonly clock?: Clock;
}

/** Options of one checkpoint call. */
export interface CheckpointCallOptions {
  /**
   * Run in this transaction: a projection that writes its read model with `tx` and saves its
   * checkpoint with `{ tx }` commits both or neither, so a crash never replays or skips events.
   */
  readonly tx?: SqlExecutor;
}

const OWNER = 'PostgresCheckpointStore';

/**
 * The {@link CheckpointStore} on PostgreSQL: one row per subscription with its global position.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   await tx.query('update order_totals set total = total + $1 where id = $2', [amount, id]);
 *   await checkpoints.save('order-totals', event.globalPosition, { tx });
 * });
 */
export class PostgresCheckpointStore implements CheckpointStore {
  readonly #executor: SqlExecutor;
  readonly #options: PostgresCheckpointStoreOptions;
  readonly #load: string;
  readonly #save: string;
  readonly #reset: string;

  constructor(executor: SqlExecutor, options: PostgresCheckpointStoreOptions = {}) {
    const s = quoteIdent(assertSchemaName(options.schema ?? DEFAULT_SCHEMA, OWNER));
    this.#executor = executor;
    this.#options = options;
    this.#load = `SELECT position FROM ${s}.checkpoints WHERE subscription_id = $1`;
    this.#save = `INSERT INTO ${s}.checkpoints (subscription_id, position, updated_at) VALUES ($1, $2, $3)
      ON CONFLICT (subscription_id) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`;
    this.#reset = `DELETE FROM ${s}.checkpoints WHERE subscription_id = $1`;
  }

  /** The same store writing through `executor` (e.g. an open transaction). */
  withExecutor(executor: SqlExecutor): PostgresCheckpointStore {
    return new PostgresCheckpointStore(executor, this.#options);
  }

  async load(subscriptionId: string, options: CheckpointCallOptions = {}): Promise<number> {
    assertId(subscriptionId);
    const [row] = await this.#pick(options).query<{ position: string | number }>(this.#load, [
      subscriptionId,
    ]);
    return row === undefined ? 0 : Number(row.position);
  }

  async save(
    subscriptionId: string,
    position: number,
    options: CheckpointCallOptions = {},
  ): Promise<void> {
    assertId(subscriptionId);
    if (!Number.isSafeInteger(position) || position < 0) {
      throw ValidationError.of(OWNER, 'position', 'must be a non-negative integer');
    }
    const now = (this.#options.clock ?? domainDefaults().clock).now();
    await this.#pick(options).query(this.#save, [subscriptionId, position, now]);
  }

  async reset(subscriptionId: string, options: CheckpointCallOptions = {}): Promise<void> {
    assertId(subscriptionId);
    await this.#pick(options).query(this.#reset, [subscriptionId]);
  }

  #pick(options: CheckpointCallOptions): SqlExecutor {
    return options.tx ?? resolveExecutor(this.#executor);
  }
}

function assertId(value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\u0000')) {
    throw ValidationError.of(
      OWNER,
      'subscriptionId',
      'must be a non-empty string without NUL characters',
    );
  }
}
