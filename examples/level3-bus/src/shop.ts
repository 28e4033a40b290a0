import {
  type BusLogger,
  bootstrap,
  EventRegistry,
  InboundEventGateway,
  InMemoryMessageBroker,
  InMemoryMessageSubscriber,
  InMemoryOutbox,
  MessageBus,
  OutboxRelay,
  retry,
} from '@pd/bus';
import { IdempotencyBehavior, InMemoryProcessedCommandStore } from '@pd/cqrs';
import { inMemoryOrders, OrderPaid, OrderPlaced, orderEvents } from '@pd-examples/level1-domain';
import {
  GetOrder,
  MemoryLogger,
  PayOrder,
  PlaceOrder,
  payOrder,
  placeOrder,
  ShopUnitOfWork,
  toView,
} from '@pd-examples/level2-cqrs';
import { PaymentReceived, toIntegrationEvent } from './integrationEvents.js';

/** Sends mail. An interface, so tests and the example keep what was sent. */
export interface Mailer {
  send(to: string, subject: string): Promise<void>;
}

export class MemoryMailer implements Mailer {
  readonly sent: { to: string; subject: string }[] = [];
  async send(to: string, subject: string): Promise<void> {
    this.sent.push({ to, subject });
  }
}

/** The level-2 logger plus `warn`: what the bus reports instead of throwing. */
export class MemoryBusLogger extends MemoryLogger implements BusLogger {
  warn(message: string): void {
    this.lines.push(message);
  }
}

export interface ShopOptions {
  readonly mailer?: Mailer;
  readonly logger?: BusLogger;
  /** How long the outbox relay waits when it found nothing to send (ms). */
  readonly pollIntervalMs?: number;
}

/**
 * Wires level 3. Compared with level 2: one `MessageBus` for commands, queries and events; event
 * handlers that run after commit (mail); an outbox written in the command's unit of work and a
 * relay that publishes it to a broker; an inbound gateway that turns billing's messages into
 * commands; and `bootstrap`, which owns and stops the background parts.
 */
export async function createShop(options: ShopOptions = {}) {
  const mailer = options.mailer ?? new MemoryMailer();
  const logger = options.logger ?? new MemoryBusLogger();
  const orders = inMemoryOrders();
  const outbox = new InMemoryOutbox({ topicFor: () => 'sales' });
  const registry = new EventRegistry()
    .registerEvent(...orderEvents)
    .registerCommand(PlaceOrder, PayOrder);

  const bus = new MessageBus({ errorPolicy: 'log', logger });
  bus.commandBus.use(new IdempotencyBehavior(new InMemoryProcessedCommandStore()));
  const uow = () => new ShopUnitOfWork(orders, { outbox });
  bus.registerCommand(PlaceOrder, (cmd, u) => placeOrder(cmd, u.orders), { uow });
  bus.registerCommand(PayOrder, (cmd, u) => payOrder(cmd, u.orders), { uow });
  bus.registerQuery(GetOrder, async (q) => {
    const order = await orders.getById(q.orderId);
    return order && toView(order);
  });

  // Runs after the command committed; a failure is retried twice, then logged, never rolled back.
  bus.on(
    OrderPlaced,
    (e) => mailer.send(e.customerId, `Order ${e.orderId} confirmed: ${e.total}`),
    { name: 'order-confirmation', errorPolicy: retry(2) },
  );
  bus.on(OrderPaid, (e) => mailer.send('accounting', `Order ${e.orderId} paid (${e.paymentId})`), {
    name: 'payment-receipt',
  });

  const broker = new InMemoryMessageBroker();
  const relay = new OutboxRelay(
    outbox,
    async (record) => {
      const message = toIntegrationEvent(registry.deserialize(record.event));
      if (message) await broker.publish(record.topic ?? 'sales', message);
    },
    { pollIntervalMs: options.pollIntervalMs ?? 50, logger },
  );

  const inbound = new InMemoryMessageSubscriber();
  const gateway = new InboundEventGateway(inbound, bus, { logger }).route(
    'billing',
    PaymentReceived,
    // The message's event id becomes the command id: a redelivered message is the same command.
    (m) =>
      new PayOrder(
        { orderId: m.orderId, paymentId: m.paymentId, amount: m.amount, currency: m.currency },
        { commandId: m.eventId },
      ),
  );

  const app = await bootstrap({
    bus,
    registry,
    broker,
    gateways: [gateway],
    workers: [relay],
    stores: { orders, outbox },
    logger,
  });
  return { app, mailer, broker, inbound, outbox, relay, logger };
}
