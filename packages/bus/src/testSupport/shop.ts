// Test-only fixtures shared by this package's tests (not exported from the package).
import { Command, type EventSink, InMemoryUnitOfWork, Query } from '@pd/cqrs';
import { AggregateRoot, DomainEvent, type InMemoryRepository } from '@pd/ddd';
import { z } from 'zod';
import type { BusLogger } from '../logging/logger.js';
import type { Sleep } from '../time/sleep.js';

export class OrderPlaced extends DomainEvent('OrderPlaced', {
  orderId: z.string(),
  total: z.number().int(),
}) {}
export class OrderConfirmed extends DomainEvent('OrderConfirmed', { orderId: z.string() }) {}
export class OrderShipped extends DomainEvent('OrderShipped', { orderId: z.string() }) {}

export class Order extends AggregateRoot(
  'Order',
  {
    total: z.number().int(),
    status: z.enum(['placed', 'confirmed']).default('placed'),
  },
  { id: z.string().min(1) },
) {
  static place(id: string, total: number): Order {
    const order = new Order({ id, total });
    order.record(new OrderPlaced({ orderId: id, total }));
    return order;
  }

  confirm(): void {
    this.set({ status: 'confirmed' });
    this.record(new OrderConfirmed({ orderId: this.id }));
  }
}

export class PlaceOrder extends Command<{ orderId: string }>()('PlaceOrder', {
  orderId: z.string(),
  total: z.number().int(),
}) {}
export class ConfirmOrder extends Command()('ConfirmOrder', { orderId: z.string() }) {}
export class FailingCommand extends Command<number>()('FailingCommand', {}) {}
export class GetOrderTotal extends Query<number | undefined>()('GetOrderTotal', {
  orderId: z.string(),
}) {}

export type OrderRepository = InMemoryRepository<Order>;

/** A unit of work over a repository that outlives it, optionally writing to an outbox. */
export class ShopUnitOfWork extends InMemoryUnitOfWork {
  readonly orders: OrderRepository;

  constructor(orders: OrderRepository, outbox?: EventSink) {
    super(outbox === undefined ? {} : { outbox });
    this.orders = this.track(orders);
  }
}

/** A small shop wired on a bus: place and confirm orders, read totals. */
export function shopHandlers(orders: OrderRepository, outbox?: EventSink) {
  const uow = () => new ShopUnitOfWork(orders, outbox);
  return {
    uow,
    placeOrder: async (cmd: PlaceOrder, u: ShopUnitOfWork) => {
      await u.orders.save(Order.place(cmd.orderId, cmd.total));
      return { orderId: cmd.orderId };
    },
    confirmOrder: async (cmd: ConfirmOrder, u: ShopUnitOfWork) => {
      const order = await u.orders.getById(cmd.orderId);
      if (order === undefined) throw new Error(`no order ${cmd.orderId}`);
      order.confirm();
      await u.orders.save(order);
    },
    getOrderTotal: async (q: GetOrderTotal) => (await orders.getById(q.orderId))?.total,
  };
}

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A logger that remembers every line. */
export function recordingLogger(): BusLogger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
}

/** A sleep that returns at once and remembers what it was asked to wait. */
export function recordingSleep(): Sleep & { readonly waits: number[] } {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  return Object.assign(sleep, { waits });
}

/** A sleep that waits until `tick()` (or its abort signal), remembering each wait: drives polling loops by hand. */
export function controlledSleep(): {
  readonly sleep: Sleep;
  readonly waits: number[];
  readonly tick: () => void;
} {
  const waits: number[] = [];
  let wake: (() => void) | undefined;
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      waits.push(ms);
      wake = resolve;
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  return { sleep, waits, tick: () => wake?.() };
}

/** Lets queued microtasks run until `done()` holds (no timers involved). */
export async function flushUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await Promise.resolve();
  if (!done()) throw new Error('condition never held');
}

/** A promise with its resolve function, to hold a handler open. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
