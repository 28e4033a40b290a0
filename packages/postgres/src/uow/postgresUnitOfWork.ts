import { AbstractUnitOfWork, type UnitOfWorkOptions, UnitOfWorkStateError } from '@pd/cqrs';
import type { Clock } from '@pd/ddd';
import { PostgresCheckpointStore } from '../checkpoint/postgresCheckpointStore.js';
import { PostgresEventStore } from '../eventStore/postgresEventStore.js';
import { AFTER_COMMIT, ROOT_EXECUTOR, scheduleAfterCommit } from '../executor/afterCommit.js';
import { runInTransaction } from '../executor/ambientTransaction.js';
import type { QueryOptions, SqlExecutor, SqlTransaction } from '../executor/sqlExecutor.js';
import { PostgresProcessedCommandStore } from '../idempotency/postgresProcessedCommandStore.js';
import { PostgresSagaRepository } from '../saga/postgresSagaRepository.js';
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
 * aggregate state, the appended events, the outbox rows, saga states and the processed-command
 * record are stored together or not at all.
 *
 * Two ways to take part:
 * - use the transaction-bound stores it exposes (`eventStore`, `snapshots`, `checkpoints`,
 *   `processedCommands`, `sagas`, or raw SQL through `executor`) — usable once the unit of work
 *   has begun. After a successful commit they fall back to the plain executor (each statement
 *   commits on its own), because work the unit of work schedules after the commit — an
 *   `EventSourcedRepository` writing its snapshots in `afterCommit`, after-commit hooks — still
 *   uses them; after a rollback they refuse (`UnitOfWorkStateError`);
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
  /** Saga states saved with the command (`@pd/advanced/saga`). */
  readonly sagas: PostgresSagaRepository;
  readonly #db: SqlExecutor;
  #tx: SqlTransaction | undefined;
  /** Set once the transaction committed: the bound stores then autocommit on `#db`. */
  #committed = false;

  constructor(db: SqlExecutor, options: PostgresUnitOfWorkOptions = {}) {
    super(options);
    const schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA, 'PostgresUnitOfWork');
    if (db.inTransaction) {
      throw new UnitOfWorkStateError(
        'a PostgresUnitOfWork needs the pool (or PGlite) executor, not a transaction',
      );
    }
    this.#db = db;
    this.executor = new BoundExecutor(db, () => (this.#committed ? db : this.#tx));
    const clock = options.clock === undefined ? {} : { clock: options.clock };
    this.eventStore = new PostgresEventStore(this.executor, {
      schema,
      ...clock,
      ...(options.notify === undefined ? {} : { notify: options.notify }),
    });
    this.snapshots = new PostgresSnapshotStore(this.executor, { schema });
    this.checkpoints = new PostgresCheckpointStore(this.executor, { schema, ...clock });
    this.processedCommands = new PostgresProcessedCommandStore(this.executor, { schema, ...clock });
    this.sagas = new PostgresSagaRepository(this.executor, { schema });
  }

  override commit(): Promise<void> {
    // Stores built on the plain executor join this transaction while the commit chain runs.
    return runInTransaction(this.#db, this.executor as BoundExecutor, () => super.commit());
  }

  protected override async beginTransaction(): Promise<void> {
    this.#committed = false;
    this.#tx = await this.#db.begin();
  }

  protected override async commitTransaction(): Promise<void> {
    await this.#tx?.commit();
    this.#committed = this.#tx !== undefined;
  }

  protected override async rollbackTransaction(): Promise<void> {
    await this.#tx?.rollback();
  }
}

/**
 * An executor that always targets the unit of work's current transaction, or — once it committed —
 * the plain executor (`current` returns it), so post-commit work autocommits instead of failing.
 */
class BoundExecutor implements SqlExecutor {
  readonly kind: 'pg' | 'pglite';
  readonly #root: SqlExecutor;
  readonly #current: () => SqlExecutor | undefined;

  constructor(root: SqlExecutor, current: () => SqlExecutor | undefined) {
    this.kind = root.kind;
    this.#root = root;
    this.#current = current;
  }

  /** True while bound to the open transaction; false after the commit (statements autocommit). */
  get inTransaction(): boolean {
    return this.#current() !== this.#root;
  }

  get isOpen(): boolean {
    const current = this.#current();
    return current !== undefined && current !== this.#root && isOpen(current);
  }

  query<TRow extends object = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<TRow[]> {
    return this.#target().query<TRow>(text, params, options);
  }

  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.#target().transaction(fn);
  }

  begin(): Promise<SqlTransaction> {
    return this.#target().begin();
  }

  listen(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>> {
    return this.#root.listen(channel, listener);
  }

  get [ROOT_EXECUTOR](): SqlExecutor {
    return this.#root;
  }

  /** After the transaction it targets commits (at once when the unit of work already has). */
  [AFTER_COMMIT](callback: () => void): boolean {
    return scheduleAfterCommit(this.#target(), callback);
  }

  async close(): Promise<void> {}

  #target(): SqlExecutor {
    const current = this.#current();
    if (current === this.#root) return current;
    if (current === undefined || !isOpen(current)) {
      throw new UnitOfWorkStateError(
        'the unit of work has no open transaction (call begin first; after a rollback it is over)',
      );
    }
    return current;
  }
}

const isOpen = (executor: SqlExecutor): boolean =>
  (executor as Partial<SqlTransaction>).isOpen === true;
