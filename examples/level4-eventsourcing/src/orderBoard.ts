import { EventSourcedProjection } from '@pd/eventsourcing';
import {
  OrderCancelled,
  OrderPaid,
  OrderPlaced,
  type OrderStatus,
} from '@pd-examples/level1-domain';
import type { OrderView } from '@pd-examples/level2-cqrs';

/**
 * A read model built from the event log: one view per order. It can be thrown away and rebuilt
 * from the events at any time (`rebuild`), and it remembers the global position it has reached
 * (`checkpoint`), so catching up reads only what is new.
 */
export class OrderBoard extends EventSourcedProjection({
  events: [OrderPlaced, OrderPaid, OrderCancelled],
}) {
  readonly name = 'order-board';
  readonly orders = new Map<string, OrderView>();

  protected readonly handlers = this.on({
    OrderPlaced: (e) => {
      this.orders.set(e.orderId, {
        orderId: e.orderId,
        customerId: e.customerId,
        total: String(e.total),
        status: 'placed',
      });
    },
    OrderPaid: (e) => this.#setStatus(e.orderId, 'paid'),
    OrderCancelled: (e) => this.#setStatus(e.orderId, 'cancelled'),
  });

  protected reset(): void {
    this.orders.clear();
  }

  #setStatus(orderId: string, status: OrderStatus): void {
    const view = this.orders.get(orderId);
    if (view) this.orders.set(orderId, { ...view, status });
  }
}
