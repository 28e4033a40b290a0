import { InMemoryRepository, type Repository } from '@pd/ddd';
import type { Order } from './order.js';

/** Where orders live. Any class with these methods fits: in memory here, a database later. */
export type OrderRepository = Repository<Order, string>;

/** An in-memory order repository: optimistic concurrency on `version`, copies in and out. */
export function inMemoryOrders(): InMemoryRepository<Order> {
  return new InMemoryRepository<Order>();
}
