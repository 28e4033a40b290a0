// Mirror of the TypeScript blocks of the root README.md (levels 1–3). Each block between the
// `README block` markers appears verbatim there; `snippets.test.ts` checks it. What a block needs
// but the README does not show (imports, stand-ins for a mailer and a broker) sits outside them.
import {
  bootstrap,
  InMemoryMessageBroker,
  InMemoryOutbox,
  MessageBus,
  OutboxRelay,
  retry,
} from '@pd/bus';
import {
  Command,
  CommandBus,
  InMemoryUnitOfWork,
  IntegrationEvent,
  LoggingBehavior,
} from '@pd/cqrs';
import { AggregateRoot, DomainEvent, InMemoryRepository, ValueObject } from '@pd/ddd';
import { z } from 'zod';

const mailer = { send: async (_text: string): Promise<void> => {} };
class OrderPlacedMessage extends IntegrationEvent('sales.OrderPlaced', { orderId: z.string() }) {}

// README block: level 1
export class Money extends ValueObject('Money', {
  amount: z.number().int(),
  currency: z.string().length(3),
}) {}

export class OrderPlaced extends DomainEvent('OrderPlaced', {
  orderId: z.string(),
  total: Money.schema(),
}) {}

export const orderShape = {
  total: Money.schema().nullable().default(null),
  status: z.enum(['new', 'placed']).default('new'),
};

export class Order extends AggregateRoot('Order', orderShape) {
  static place(total: Money): Order {
    const order = new Order({});
    order.record(new OrderPlaced({ orderId: order.id, total })); // applies it, then buffers it
    return order;
  }

  protected override applyEvent(event: OrderPlaced): void {
    this.set({ total: event.total, status: 'placed' });
  }
}
// end README block

// README block: level 2
class PlaceOrder extends Command<{ orderId: string }>()('PlaceOrder', {
  amount: z.number().int().positive(),
}) {}

const orders = new InMemoryRepository<Order>();
class ShopUnitOfWork extends InMemoryUnitOfWork {
  readonly orders = this.track(orders); // events are collected at commit, dropped on rollback
}

async function placeOrder(cmd: PlaceOrder, uow: ShopUnitOfWork) {
  const order = Order.place(new Money({ amount: cmd.amount, currency: 'EUR' }));
  await uow.orders.save(order);
  return { orderId: order.id };
}

const commands = new CommandBus().use(new LoggingBehavior());
commands.register(PlaceOrder, placeOrder, { uow: () => new ShopUnitOfWork() });
const { orderId } = await commands.send(new PlaceOrder({ amount: 4200 })); // typed: string
// end README block

// README block: level 3
const outbox = new InMemoryOutbox();
const bus = new MessageBus();
bus.registerCommand(PlaceOrder, placeOrder, { uow: () => new ShopUnitOfWork({ outbox }) });
bus.on(OrderPlaced, (e) => mailer.send(`Order ${e.orderId} confirmed`), {
  errorPolicy: retry(2), // runs after commit; a failure never undoes the order
});

const broker = new InMemoryMessageBroker();
const relay = new OutboxRelay(outbox, (record) =>
  broker.publish(
    'sales',
    new OrderPlacedMessage({ orderId: record.event.payload.orderId as string }),
  ),
);
const app = await bootstrap({ bus, broker, workers: [relay] }); // starts the relay
await app.send(new PlaceOrder({ amount: 1999 }));
await app.shutdown();

// end README block

export { orderId };
