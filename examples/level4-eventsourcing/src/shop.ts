import { MessageBus } from '@pd/bus';
import { InMemoryUnitOfWork, type UnitOfWorkOptions } from '@pd/cqrs';
import {
  EventSourcedRepository,
  type EventSourcedRepositoryOptions,
  type EventStore,
  InMemoryEventStore,
} from '@pd/eventsourcing';
import { CancelOrder, GetOrder, PayOrder, PlaceOrder } from '@pd-examples/level2-cqrs';
import { cancelOrder, payOrder, placeOrder } from './handlers.js';
import { Order } from './order.js';
import { OrderBoard } from './orderBoard.js';

/**
 * A unit of work with an event-sourced order repository. One repository per unit of work: it
 * holds the appends staged by one command and performs them at commit.
 */
export class EventSourcedShopUnitOfWork extends InMemoryUnitOfWork {
  readonly orders: EventSourcedRepository<Order>;
  constructor(
    store: EventStore,
    options: UnitOfWorkOptions & {
      readonly repository?: EventSourcedRepositoryOptions<string>;
    } = {},
  ) {
    const { repository, ...uowOptions } = options;
    super(uowOptions);
    this.orders = this.track(new EventSourcedRepository(store, Order, repository ?? {}));
  }
}

/** Reads the events the board has not seen yet, page by page, and applies them. */
export async function catchUp(store: EventStore, board: OrderBoard): Promise<number> {
  let applied = 0;
  for (;;) {
    const page = await store.readAll({ fromPosition: board.checkpoint, limit: 500 });
    for (const event of page.events) {
      await board.apply(event);
      applied += 1;
    }
    if (page.isEnd || page.events.length === 0) return applied;
  }
}

/**
 * Wires level 4. Compared with level 3: orders are streams of events in an `EventStore` (appended
 * at commit, with the command id as idempotency key), and queries read a projection built from
 * the event log. The outbox, relay and broker of level 3 work unchanged and are left out here.
 */
export function createShop(options: { store?: EventStore } = {}) {
  const store = options.store ?? new InMemoryEventStore();
  const board = new OrderBoard();
  const bus = new MessageBus();
  const uow = () => new EventSourcedShopUnitOfWork(store);
  bus.registerCommand(PlaceOrder, (cmd, u) => placeOrder(cmd, u.orders), { uow });
  bus.registerCommand(PayOrder, (cmd, u) => payOrder(cmd, u.orders), { uow });
  bus.registerCommand(CancelOrder, (cmd, u) => cancelOrder(cmd, u.orders), { uow });
  // Level 5 replaces this read-before-query with a SubscriptionRunner that keeps the board current.
  bus.registerQuery(GetOrder, async (q) => {
    await catchUp(store, board);
    return board.orders.get(q.orderId);
  });
  return { bus, store, board };
}
