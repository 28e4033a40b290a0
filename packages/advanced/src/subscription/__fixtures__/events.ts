// Test fixtures: two event types in two stream categories, and a projection over them.
import { DomainEvent } from '@pd/ddd';
import { EventSourcedProjection, type EventStore } from '@pd/eventsourcing';
import { z } from 'zod';

export class ItemAdded extends DomainEvent('ItemAdded', {
  sku: z.string(),
  qty: z.number().int(),
}) {}
export class OrderPlaced extends DomainEvent('OrderPlaced', { total: z.number().int() }) {}

/** Appends `count` ItemAdded events to `Cart-<cart>` (sku `s<i>`, qty i). */
export async function addItems(
  store: EventStore,
  cart: string,
  count: number,
  start = 1,
): Promise<void> {
  for (let i = start; i < start + count; i += 1) {
    await store.appendToStream(`Cart-${cart}`, [new ItemAdded({ sku: `s${i}`, qty: i })], {
      expectedVersion: 'any',
    });
  }
}

export async function placeOrder(store: EventStore, order: string, total: number): Promise<void> {
  await store.appendToStream(`Order-${order}`, [new OrderPlaced({ total })], {
    expectedVersion: 'any',
  });
}

/** Quantity per sku and order count: its state must equal a fresh rebuild's after any crash. */
export class Stock extends EventSourcedProjection({ events: [ItemAdded, OrderPlaced] }) {
  readonly name = 'stock';
  quantities = new Map<string, number>();
  orders = 0;
  applied = 0;
  protected readonly handlers = this.on({
    ItemAdded: (e) => {
      this.applied += 1;
      this.quantities.set(e.sku, (this.quantities.get(e.sku) ?? 0) + e.qty);
    },
    OrderPlaced: () => {
      this.applied += 1;
      this.orders += 1;
    },
  });
  protected reset(): void {
    this.quantities = new Map();
    this.orders = 0;
  }
  view(): { quantities: [string, number][]; orders: number } {
    return { quantities: [...this.quantities].sort(), orders: this.orders };
  }
}
