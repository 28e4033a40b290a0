import { SnapshotThresholdPolicy, SubscriptionRunner } from '@pd/advanced';
import {
  CommandTypeRegistry,
  SagaManager,
  SagaRegistry,
  type SagaRepository,
} from '@pd/advanced/saga';
import { type BusLogger, MessageBus } from '@pd/bus';
import type { MessageContext, NextHandler, PipelineBehavior } from '@pd/cqrs';
import { DomainError } from '@pd/ddd';
import { EventSourcedRepository } from '@pd/eventsourcing';
import {
  migrate,
  PostgresCheckpointStore,
  PostgresEventStore,
  PostgresSagaRepository,
  PostgresSnapshotStore,
  PostgresUnitOfWork,
  type SqlExecutor,
} from '@pd/postgres';
import { Money, OrderCancelled, OrderPaid, OrderPlaced } from '@pd-examples/level1-domain';
import { CancelOrder, GetOrder, PayOrder, PlaceOrder } from '@pd-examples/level2-cqrs';
import { cancelOrder, Order, payOrder, placeOrder } from '@pd-examples/level4-eventsourcing';
import {
  ChargePayment,
  Payment,
  ReleaseStock,
  ReserveStock,
  StockReservation,
} from './fulfilment.js';
import { shopUpcasters } from './legacy.js';
import { OrderBoardTable } from './orderBoardTable.js';
import { OrderFulfilment } from './orderFulfilment.js';

/** Counts the commands handled and failed, by type: the demo prints it. */
export class CommandCounter implements PipelineBehavior {
  readonly handled = new Map<string, number>();
  readonly failed = new Map<string, number>();
  async handle(context: MessageContext, next: NextHandler): Promise<unknown> {
    try {
      const result = await next();
      this.handled.set(context.messageType, (this.handled.get(context.messageType) ?? 0) + 1);
      return result;
    } catch (error) {
      this.failed.set(context.messageType, (this.failed.get(context.messageType) ?? 0) + 1);
      throw error;
    }
  }
}

/** Keeps nothing: the demo prints its own summary, the tests assert on outcomes. */
export const quietLogger: BusLogger = { info() {}, warn() {}, error() {} };

export interface ShopOptions {
  /** A PostgreSQL server pool (`connect()`) or an embedded PGlite (`fromPGlite`). */
  readonly db: SqlExecutor;
  /** The schema of pd's tables and of the order board (default `'shop'`). */
  readonly schema?: string;
  /** Write a snapshot once an order has this many events since the last one (default 2). */
  readonly snapshotEvery?: number;
  readonly logger?: BusLogger;
  /** Where saga states live (default: the `sagas` table of `schema`, so a restart resumes them). */
  readonly sagaRepository?: SagaRepository;
}

/**
 * Wires level 5 on PostgreSQL. Compared with level 4: the stores are PostgreSQL tables, written in
 * one transaction per command; orders are snapshotted by a threshold policy; old `OrderPlaced`
 * events are upcast on read; a `SubscriptionRunner` keeps the order board and the fulfilment saga
 * up to date from checkpoints; the saga coordinates the warehouse and payments.
 */
export async function openShop(options: ShopOptions) {
  const { db, schema = 'shop' } = options;
  const logger = options.logger ?? quietLogger;
  const migration = await migrate(db, { schema });

  const eventStore = new PostgresEventStore(db, { schema });
  const snapshots = new PostgresSnapshotStore(db, { schema });
  const checkpoints = new PostgresCheckpointStore(db, { schema });
  const board = new OrderBoardTable(db, schema);
  await board.ensure();
  const upcaster = shopUpcasters();
  const snapshotPolicy = new SnapshotThresholdPolicy(options.snapshotEvery ?? 2);

  /** One PostgreSQL transaction per command: every append of the command commits together. */
  class ShopUnitOfWork extends PostgresUnitOfWork {
    readonly orders = this.track(
      new EventSourcedRepository(this.eventStore, Order, {
        // Read in the command's transaction; written after it commits (the repository's
        // afterCommit), when the unit of work's stores autocommit.
        snapshotStore: this.snapshots,
        snapshotPolicy,
        upcaster,
      }),
    );
    readonly reservations = this.track(
      new EventSourcedRepository(this.eventStore, StockReservation),
    );
    readonly payments = this.track(new EventSourcedRepository(this.eventStore, Payment));
  }
  const uow = () => new ShopUnitOfWork(db, { schema });

  const commands = new CommandCounter();
  const bus = new MessageBus({ logger });
  bus.commandBus.use(commands);
  bus.registerCommand(PlaceOrder, (cmd, u) => placeOrder(cmd, u.orders), { uow });
  bus.registerCommand(PayOrder, (cmd, u) => payOrder(cmd, u.orders), { uow });
  bus.registerCommand(CancelOrder, (cmd, u) => cancelOrder(cmd, u.orders), { uow });
  bus.registerCommand(
    ReserveStock,
    async (cmd, u) => {
      await u.reservations.save(StockReservation.reserve(cmd.orderId), {
        commandId: cmd.commandId,
      });
    },
    { uow },
  );
  bus.registerCommand(
    ReleaseStock,
    async (cmd, u) => {
      const reservation = await u.reservations.getById(cmd.orderId);
      if (!reservation) throw new DomainError(`no reservation for ${cmd.orderId}`);
      reservation.release();
      await u.reservations.save(reservation, { commandId: cmd.commandId });
    },
    { uow },
  );
  bus.registerCommand(
    ChargePayment,
    async (cmd, u) => {
      const payment = Payment.charge(cmd.orderId, Money.of(cmd.amount, cmd.currency));
      await u.payments.save(payment, { commandId: cmd.commandId });
    },
    { uow },
  );
  bus.registerQuery(GetOrder, (q) => board.get(q.orderId));

  // Saga states are rows beside the events: a saga suspended or interrupted by a crash resumes
  // from its stored state on the next run.
  const sagaRepository = options.sagaRepository ?? new PostgresSagaRepository(db, { schema });
  const sagas = new SagaManager(
    sagaRepository,
    new SagaRegistry().registerSaga(OrderFulfilment),
    bus,
    {
      commandTypes: new CommandTypeRegistry().register(
        ReserveStock,
        ReleaseStock,
        ChargePayment,
        PayOrder,
        CancelOrder,
      ),
      logger,
    },
  );

  // Two catch-up subscriptions, each with its own checkpoint in PostgreSQL: stopping and starting
  // again resumes after the last event each one finished.
  const runner = new SubscriptionRunner({
    eventStore,
    checkpointStore: checkpoints,
    upcaster,
    logger,
  })
    .subscribe({
      id: 'order-board',
      eventTypes: [OrderPlaced, OrderPaid, OrderCancelled],
      handler: (events) => board.apply(events),
    })
    .subscribe({
      id: 'order-fulfilment',
      eventTypes: [OrderPlaced],
      deserialize: (stored) => OrderPlaced.fromJSON(stored),
      // The saga sends ReserveStock; the events that command commits are fed back to the manager,
      // which moves the saga on (charge, then pay or cancel) within this call.
      handler: async (events) => {
        for (const event of events) await sagas.handle(event);
      },
    });

  /**
   * Runs the subscriptions until they have nothing left (each round may append new events). A
   * subscription whose handler failed is tried again in the next round (`retrying`), until its
   * retries are spent and it halts.
   */
  async function catchUp(): Promise<{ board: number; fulfilment: number }> {
    const delivered = { board: 0, fulfilment: 0 };
    for (;;) {
      const reports = await runner.runOnce();
      let busy = false;
      for (const report of reports) {
        if (report.halted) throw report.halted;
        busy ||= report.delivered > 0 || report.retrying !== undefined;
        if (report.subscriptionId === 'order-board') delivered.board += report.delivered;
        else delivered.fulfilment += report.delivered;
      }
      if (!busy) return delivered;
    }
  }

  return {
    bus,
    db,
    schema,
    eventStore,
    snapshots,
    checkpoints,
    board,
    runner,
    sagas,
    sagaRepository,
    commands,
    migration,
    catchUp,
  };
}

export type Shop = Awaited<ReturnType<typeof openShop>>;
