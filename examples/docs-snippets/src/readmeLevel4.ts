// Mirror of the level-4 block of the root README.md (see readme.ts).
import { EventSourcedAggregateRoot } from '@pd/eventsourcing';
import { type Money, OrderPlaced, orderShape } from './readme.js';

// README block: level 4
export class Order extends EventSourcedAggregateRoot('Order', orderShape, {
  events: [OrderPlaced],
  apply: {
    OrderPlaced: (_order, event) => ({ total: event.total, status: 'placed' }),
  },
}) {
  static place(total: Money): Order {
    const order = new Order({});
    order.record(new OrderPlaced({ orderId: order.id, total })); // applies it, then buffers it
    return order;
  }
}
// end README block
