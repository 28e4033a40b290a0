import { AbstractUnitOfWork, type UnitOfWorkOptions, UnitOfWorkStateError } from '@pd/cqrs';
import type { Clock } from '@pd/ddd';
import { PostgresCheckpointStore } from '../checkpoint/postgresCheckpointStore.js';
import { PostgresEventStore } from '../eventStore/postgresEventStore.js';
import { runInTransaction } from '../executor/ambientTransaction.js';
import type { QueryOptions, SqlExecutor, SqlTransaction } from '../executor/sqlExecutor.js';
import { PostgresProcessedCommandStore } from '../idempotency/postgresProcessedCommandStore.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../schema/identifier.js';
import { PostgresSnapshotStore } from '../snapshot/postgresSnapshotStore.js';

/** Options of {@link PostgresUnitOfWork}. */
export interface PostgresUnitOfWorkOptions extends UnitOfWorkOptions {
  /** Schema of the stores (default `'pd'`). */
  readonly schema?: string;
  /** Clock of the stores. Default: the domain defaults' clock. */
  readonly clock?: Clock;
  /** NOTIFY on appends (see `PostgresEventStoreOptions.notify`, default true). */
  readonly notify?: boolean;
}

/**
 * A cqrs unit of work over ONE PostgreSQL transaction: `begin` opens it (on a dedicated pooled
 * connection), the commit chain runs inside it, and it commits or rolls back as a whole. So the
 * aggregate state, the appended events, the outbox rows and the processed-command record are
 * stored together or not at all.
 *
 * Two ways to take part:
 * - use the transaction-bound stores it exposes (`eventStore`, `snapshots`, `checkpoints`,
 *   `processedCommands`, or raw SQL through `executor`) — usable once the unit of work has begun;
 * - or pass stores built on the plain executor: during `commit` (participant flush, outbox write,
 *   before-commit hooks) they join this transaction automatically. That is how an
 *   `EventSourcedRepository` appending at flush, a `PostgresOutbox` given as `{ outbox }` and
 *   `IdempotencyBehavior`'s `complete` all land in the command's transaction.
 *
 * @example
 * class ShopUnitOfWork extends PostgresUnitOfWork {
 *   readonly orders = this.track(new EventSourcedRepository(this.eventStore, Order));
 * }
 * bus.register(PlaceOrder, handler, { uow: () => new ShopUnitOfWork(db, { schema: 'shop', outbox }) });
 */
export class PostgresUnitOfWork extends AbstractUnitOfWork {
  /** Raw SQL in this unit of work's transaction. */
  readonly executor: SqlExecutor;
  readonly eventStore: PostgresEventStore;
  readonly snapshots: PostgresSnapshotStore;
  readonly checkpoints: PostgresCheckpointStore;
  readonly processedCommands: PostgresProcessedCommandStore;
  readonly #db: SqlExecutor;
  #tx: SqlTransaction | undefined;

  constructor(db: SqlExecutor, options: PostgresUnitOfWorkOptions = {}) {
    super(options);
    const schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA, 'PostgresUnitOfWork');
    if (db.inTransaction) {
      throw new UnitOfWorkStateError(
        'a PostgresUnitOfWork needs the pool (or PGlite) executor, not a transaction',
      );
    }
    this.#db = db;
    this.executor = new BoundExecutor(db, () => this.#tx);
    const clock = options.clock === undefined ? {} : { clock: options.clock };
    this.eventStore = new PostgresEventStore(this.executor, {
      schema,
      ...clock,
      ...(options.notify === undefined ? {} : { notify: options.notify }),
    });
    this.snapshots = new PostgresSnapshotStore(this.executor, { schema });
    this.checkpoints = new PostgresCheckpointStore(this.executor, { schema, ...clock });
    this.processedCommands = new PostgresProcessedCommandStore(this.executor, { schema, ...clock });
  }

  override commit(): Promise<void> {
    // Stores built on the plain executor join this transaction while the commit chain runs.
    return runInTransaction(this.#db, this.executor as BoundExecutor, () => super.commit());
  }

  protected override async beginTransaction(): Promise<void> {
    this.#tx = await this.#db.begin();
  }

  protected override async commitTransaction(): Promise<void> {
    await this.#tx?.commit();
  }

  protected override async rollbackTransaction(): Promise<void> {
    await this.#tx?.rollback();
  }
}

/** An executor that always targets the unit of work's current transaction. */
class BoundExecutor implements SqlExecutor {
  readonly inTransaction = true as const;
  readonly kind: 'pg' | 'pglite';
  readonly #root: SqlExecutor;
  readonly #current: () => SqlTransaction | undefined;

  constructor(root: SqlExecutor, current: () => SqlTransaction | undefined) {
    this.kind = root.kind;
    this.#root = root;
    this.#current = current;
  }

  get isOpen(): boolean {
    return this.#current()?.isOpen ?? false;
  }

  query<TRow extends object = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<TRow[]> {
    return this.#tx().query<TRow>(text, params, options);
  }

  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.#tx().transaction(fn);
  }

  begin(): Promise<SqlTransaction> {
    return this.#tx().begin();
  }

  listen(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>> {
    return this.#root.listen(channel, listener);
  }

  async close(): Promise<void> {}

  #tx(): SqlTransaction {
    const tx = this.#current();
    if (tx === undefined || !tx.isOpen) {
      throw new UnitOfWorkStateError('the unit of work has no open transaction (call begin first)');
    }
    return tx;
  }
}
