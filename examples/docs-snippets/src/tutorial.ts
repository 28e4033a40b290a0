// Mirror of the TypeScript blocks of docs/tutorial/getting-started.md, in order. The blocks
// between the `tutorial block` markers appear verbatim there (checked by snippets.test.ts);
// tutorial.test.ts runs what they build.

// tutorial block: imports
import { MessageBus } from '@pd/bus';
import { Command, InMemoryUnitOfWork, Query } from '@pd/cqrs';
import { AggregateRoot, DomainError, DomainEvent, InMemoryRepository, ValueObject } from '@pd/ddd';
import { z } from 'zod';
// end tutorial block

// tutorial block: money
export class Money extends ValueObject('Money', {
  amount: z.number().int().nonnegative(), // in cents
  currency: z.string().length(3),
}) {
  add(other: Money): Money {
    if (other.currency !== this.currency) throw new DomainError('currencies differ');
    return this.with({ amount: this.amount + other.amount }); // a new, validated Money
  }
}
// end tutorial block

// tutorial block: events
export class OrderPlaced extends DomainEvent('OrderPlaced', {
  orderId: z.string(),
  customerId: z.string(),
  total: Money.schema(),
}) {}

export class OrderPaid extends DomainEvent('OrderPaid', { orderId: z.string() }) {}
// end tutorial block

// tutorial block: order
export class Order extends AggregateRoot('Order', {
  customerId: z.string().default(''),
  total: Money.schema().nullable().default(null),
  status: z.enum(['new', 'placed', 'paid']).default('new'),
}) {
  static place(customerId: string, total: Money): Order {
    if (total.amount === 0)
      throw new DomainError('an order needs a total', { code: 'EMPTY_ORDER' });
    const order = new Order({}); // a fresh UUIDv7 id
    order.record(new OrderPlaced({ orderId: order.id, customerId, total }));
    return order;
  }

  pay(): void {
    if (this.status !== 'placed') {
      throw new DomainError(`order is ${this.status}`, { code: 'ORDER_NOT_PLACED' });
    }
    this.record(new OrderPaid({ orderId: this.id }));
  }

  // Every state change happens here, once per event: `record` calls it before buffering.
  protected override applyEvent(event: OrderPlaced | OrderPaid): void {
    if (event instanceof OrderPlaced) {
      this.set({ customerId: event.customerId, total: event.total, status: 'placed' });
    } else {
      this.set({ status: 'paid' });
    }
  }
}
// end tutorial block

// tutorial block: messages
export class PlaceOrder extends Command<{ orderId: string }>()('PlaceOrder', {
  customerId: z.string().min(1),
  amount: z.number().int(),
}) {}

export class PayOrder extends Command()('PayOrder', { orderId: z.string() }) {}

export class GetOrderStatus extends Query<string | undefined>()('GetOrderStatus', {
  orderId: z.string(),
}) {}
// end tutorial block

// tutorial block: shop
export function createShop(confirmations: string[] = []) {
  const orders = new InMemoryRepository<Order>();
  class ShopUnitOfWork extends InMemoryUnitOfWork {
    readonly orders = this.track(orders);
  }
  const uow = () => new ShopUnitOfWork();

  const bus = new MessageBus();
  bus.registerCommand(
    PlaceOrder,
    async (cmd, u) => {
      const order = Order.place(cmd.customerId, new Money({ amount: cmd.amount, currency: 'EUR' }));
      await u.orders.save(order);
      return { orderId: order.id };
    },
    { uow },
  );
  bus.registerCommand(
    PayOrder,
    async (cmd, u) => {
      const order = await u.orders.getById(cmd.orderId);
      if (!order) throw new DomainError('no such order', { code: 'ORDER_NOT_FOUND' });
      order.pay();
      await u.orders.save(order);
    },
    { uow },
  );
  bus.registerQuery(GetOrderStatus, async (q) => (await orders.getById(q.orderId))?.status);

  // Runs after the command's unit of work committed, never for a failed command.
  bus.on(OrderPlaced, async (e) => {
    confirmations.push(`${e.customerId}: order ${e.orderId} placed (${e.total.amount} cents)`);
  });
  return bus;
}
// end tutorial block
