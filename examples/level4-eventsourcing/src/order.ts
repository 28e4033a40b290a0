import { EventSourcedAggregateRoot } from '@pd/eventsourcing';
import {
  type Money,
  OrderCancelled,
  OrderError,
  OrderPaid,
  OrderPlaced,
  orderShape,
} from '@pd-examples/level1-domain';

/**
 * The level-1 order, event-sourced. Two things changed (see `order.test.ts`, which checks the
 * rest did not):
 *
 * 1. the base: `AggregateRoot('Order', orderShape)` became
 *    `EventSourcedAggregateRoot('Order', orderShape, { events, apply })`;
 * 2. `applyEvent`'s three branches became the three `apply` handlers, each returning the same
 *    change `this.set(...)` made.
 *
 * The command methods between the `#region` markers are the level-1 text, byte for byte.
 */
export class Order extends EventSourcedAggregateRoot('Order', orderShape, {
  events: [OrderPlaced, OrderPaid, OrderCancelled],
  apply: {
    OrderPlaced: (_order, event) => ({
      customerId: event.customerId,
      total: event.total,
      status: 'placed',
    }),
    OrderPaid: (_order, event) => ({ status: 'paid', paymentId: event.paymentId }),
    OrderCancelled: () => ({ status: 'cancelled' }),
  },
}) {
  // #region commands
  static place(customerId: string, total: Money): Order {
    if (total.amount <= 0) throw new OrderError('INVALID_TOTAL', 'an order needs a positive total');
    const order = new Order({});
    order.record(new OrderPlaced({ orderId: order.id, customerId, total }));
    return order;
  }

  pay(paymentId: string, amount: Money): void {
    if (this.status === 'paid')
      throw new OrderError('ORDER_ALREADY_PAID', `order ${this.id} is paid`);
    if (this.status !== 'placed') {
      throw new OrderError('ORDER_NOT_PLACED', `order ${this.id} is ${this.status}`);
    }
    if (this.total === null || !amount.equals(this.total)) {
      throw new OrderError('PAYMENT_MISMATCH', `expected ${this.total}, got ${amount}`);
    }
    this.record(new OrderPaid({ orderId: this.id, paymentId, amount }));
  }

  cancel(reason: string): void {
    if (this.status === 'cancelled') return;
    if (this.status === 'paid')
      throw new OrderError('ORDER_ALREADY_PAID', `order ${this.id} is paid`);
    this.record(new OrderCancelled({ orderId: this.id, reason }));
  }
  // #endregion commands
}
