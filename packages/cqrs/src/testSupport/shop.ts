// Test-only fixtures shared by this package's tests (not exported from the package).

import { Command, InMemoryUnitOfWork } from '@pd/cqrs';
import { AggregateRoot, ConcurrencyError, DomainEvent, type InMemoryRepository } from '@pd/ddd';
import { z } from 'zod';

export class OrderRenamed extends DomainEvent('OrderRenamed', {
  orderId: z.string(),
  name: z.string(),
}) {}

export class Order extends AggregateRoot('Order', { name: z.string() }) {
  rename(name: string): void {
    this.set({ name });
    this.record(new OrderRenamed({ orderId: this.id, name }));
  }
}

export class RenameOrder extends Command<{ version: number }>()('RenameOrder', {
  orderId: z.string(),
  name: z.string(),
}) {}

export type OrderRepository = InMemoryRepository<Order>;

/** A unit of work over a repository that outlives it (as one captured by a factory closure does). */
export class ShopUnitOfWork extends InMemoryUnitOfWork {
  readonly orders: OrderRepository;
  readonly log: string[] = [];

  constructor(orders: OrderRepository) {
    super();
    this.orders = this.track(orders);
  }

  protected override async commitTransaction(): Promise<void> {
    this.log.push('commit');
  }

  protected override async rollbackTransaction(): Promise<void> {
    this.log.push('rollback');
  }
}

/** A unit of work whose storage commit fails with a concurrency conflict the first `n` times. */
export function failingCommits(times: number): {
  failuresLeft: () => number;
  make: (orders: OrderRepository) => ShopUnitOfWork;
} {
  let left = times;
  class FailingUnitOfWork extends ShopUnitOfWork {
    protected override async commitTransaction(): Promise<void> {
      if (left > 0) {
        left--;
        throw new ConcurrencyError('Order', 1, 2);
      }
      await super.commitTransaction();
    }
  }
  return { failuresLeft: () => left, make: (orders) => new FailingUnitOfWork(orders) };
}

/** A promise with its resolve function outside, to order concurrent steps without sleeping. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets every queued microtask and promise callback run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
