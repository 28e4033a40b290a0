import { AggregateRoot } from '@pd/ddd';
import type { Money } from './money.js';
import { OrderError } from './orderError.js';
import { OrderCancelled, type OrderEvent, OrderPaid, OrderPlaced } from './orderEvents.js';
import { orderShape } from './orderState.js';

/**
 * The order aggregate, state-based (level 1). Command methods check the rules and record an event;
 * every state change happens in `applyEvent`, which `record` calls first. That split is what lets
 * level 4 make the same class event-sourced by changing only its base (compare
 * `examples/level4-eventsourcing/src/order.ts`).
 */
export class Order extends AggregateRoot('Order', orderShape) {
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

  protected override applyEvent(event: OrderEvent): void {
    if (event instanceof OrderPlaced) {
      this.set({ customerId: event.customerId, total: event.total, status: 'placed' });
    } else if (event instanceof OrderPaid) {
      this.set({ status: 'paid', paymentId: event.paymentId });
    } else {
      this.set({ status: 'cancelled' });
    }
  }
}
