// The registry is the `upcaster` of every reader: repository, projection and subscription runner
// see current-version events whatever store they read (fix 10.4 #21: upcasting was wired only
// into the event registry).
import { defineUpcaster, SubscriptionRunner, UpcasterRegistry } from '@pd/advanced';
import { DomainEvent, isPdError } from '@pd/ddd';
import {
  EventSourcedAggregateRoot,
  EventSourcedProjection,
  EventSourcedRepository,
  type EventStore,
  InMemoryCheckpointStore,
  InMemoryEventStore,
  type StoredEvent,
} from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RowEventStore } from '../subscription/__fixtures__/stores.js';

const ORDER_ID = '01890a5d-ac96-774b-bcce-b302099a8057';

// What an older deployment wrote: v1 carried the amount in `amount`, no currency.
class OrderPlacedV1 extends DomainEvent('OrderPlaced', { amount: z.number().int() }) {}
// Today's event: v2.
class OrderPlaced extends DomainEvent(
  'OrderPlaced',
  { total: z.number().int(), currency: z.string().length(3) },
  { schemaVersion: 2 },
) {}

class Order extends EventSourcedAggregateRoot(
  'Order',
  { total: z.number().int().default(0), currency: z.string().default('') },
  {
    events: [OrderPlaced],
    apply: { OrderPlaced: (_state, e) => ({ total: e.total, currency: e.currency }) },
  },
) {}

class Revenue extends EventSourcedProjection({ events: [OrderPlaced] }) {
  readonly name = 'revenue';
  totals: { total: number; currency: string }[] = [];
  protected readonly handlers = this.on({
    OrderPlaced: (e) => {
      this.totals.push({ total: e.total, currency: e.currency });
    },
  });
  protected reset(): void {
    this.totals = [];
  }
}

const upcasters = () =>
  new UpcasterRegistry({
    events: [OrderPlaced],
    upcasters: [
      defineUpcaster({
        type: OrderPlaced,
        from: 1,
        to: 2,
        upcast: (p: { amount: number }) => ({ total: p.amount, currency: 'EUR' }),
      }),
    ],
  });

async function storeWithOldEvent(kind: 'in-memory' | 'rows'): Promise<EventStore> {
  const store = kind === 'in-memory' ? new InMemoryEventStore() : new RowEventStore();
  await store.appendToStream(`Order-${ORDER_ID}`, [new OrderPlacedV1({ amount: 250 })], {
    expectedVersion: 'no_stream',
  });
  return store;
}

describe.each(['in-memory', 'rows'] as const)('upcasting from the %s store', (kind) => {
  it('the repository loads an aggregate from v1 events, which it could not do without the registry', async () => {
    const store = await storeWithOldEvent(kind);
    const order = await new EventSourcedRepository(store, Order, { upcaster: upcasters() }).getById(
      ORDER_ID,
    );
    expect(order).toMatchObject({ total: 250, currency: 'EUR', version: 1 });

    let caught: unknown;
    await new EventSourcedRepository(store, Order).getById(ORDER_ID).catch((error: unknown) => {
      caught = error;
    });
    expect(isPdError(caught, 'VALIDATION')).toBe(true);
  });

  it('a projection given the registry applies v1 events as v2', async () => {
    const store = await storeWithOldEvent(kind);
    const projection = new Revenue({ upcaster: upcasters() });
    const page = await store.readAll();
    for (const stored of page.events) await projection.apply(stored);
    expect(projection.totals).toEqual([{ total: 250, currency: 'EUR' }]);
  });

  it('the subscription runner hands handlers current-version events, the stored row untouched', async () => {
    const store = await storeWithOldEvent(kind);
    const seen: StoredEvent[] = [];
    const runner = new SubscriptionRunner({
      eventStore: store,
      checkpointStore: new InMemoryCheckpointStore(),
      upcaster: upcasters(),
    });
    const projection = new Revenue();
    runner.subscribe({ id: 'raw', handler: (events) => void seen.push(...events) });
    runner.subscribe({ handler: projection });
    await runner.runOnce();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      type: 'OrderPlaced',
      schemaVersion: 2,
      payload: { total: 250, currency: 'EUR' },
    });
    expect(OrderPlaced.fromJSON(seen[0]).schemaVersion).toBe(2);
    // The projection had no upcaster of its own: the runner's was enough.
    expect(projection.totals).toEqual([{ total: 250, currency: 'EUR' }]);
    const [row] = (await store.readAll()).events;
    expect(row).toMatchObject({ schemaVersion: 1, payload: { amount: 250 } });
  });
});
