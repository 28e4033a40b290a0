import { defineUpcaster, UpcasterRegistry } from '@pd/advanced';
import { GenericDomainEvent } from '@pd/bus';
import { OrderCancelled, OrderPaid, OrderPlaced } from '@pd-examples/level1-domain';

/** What the first release of the shop stored for `OrderPlaced` (schema version 1). */
interface OrderPlacedV1 {
  orderId: string;
  customerId: string;
  amountCents: number;
}

/** Version 1 → 2: the total became a `Money` (amount + currency); version 1 was always euros. */
export const orderPlacedV1toV2 = defineUpcaster({
  type: OrderPlaced,
  from: 1,
  to: 2,
  upcast: (p: OrderPlacedV1) => ({
    orderId: p.orderId,
    customerId: p.customerId,
    total: { amount: p.amountCents, currency: 'EUR' },
  }),
});

/**
 * Every upcaster of the shop. Declaring the current event classes lets the registry check at
 * start-up that each chain reaches the version the code reads.
 */
export function shopUpcasters(): UpcasterRegistry {
  return new UpcasterRegistry({
    upcasters: [orderPlacedV1toV2],
    events: [OrderPlaced, OrderPaid, OrderCancelled],
  });
}

/**
 * An `OrderPlaced` exactly as the first release stored it — how the demo puts "old" events in the
 * store. (The event store takes domain events; a `GenericDomainEvent` carries any type, version
 * and payload.) Its correlation id is the order id, so the saga can pick it up.
 */
export function legacyOrderPlaced(orderId: string, customerId: string, amountCents: number) {
  const payload: OrderPlacedV1 = { orderId, customerId, amountCents };
  return new GenericDomainEvent(
    'OrderPlaced',
    { ...payload },
    {
      schemaVersion: 1,
      correlationId: orderId,
    },
  );
}
