import { aggregateSpec } from '@pd/testing';
import { Money, OrderPaid, OrderPlaced } from '@pd-examples/level1-domain';
import { describe, it } from 'vitest';
import { Order } from './order.js';

// The same rules, written as given / when / then with @pd/testing.
const orderId = '01a22086-22a3-7f80-a5f5-8d955858bbcd';
const eur = (amount: number) => Money.of(amount, 'EUR');
const placed = new OrderPlaced({ orderId, customerId: 'ada', total: eur(1_000) });

describe('Order (given / when / then)', () => {
  it('records OrderPaid when the amount matches', async () => {
    await aggregateSpec(Order, { id: orderId })
      .given([placed])
      .when((order) => order.pay('pay-1', eur(1_000)))
      .thenEvents([new OrderPaid({ orderId, paymentId: 'pay-1', amount: eur(1_000) })]);
  });

  it('refuses a payment of the wrong amount', async () => {
    await aggregateSpec(Order, { id: orderId })
      .given([placed])
      .when((order) => order.pay('pay-1', eur(999)))
      .thenThrows('PAYMENT_MISMATCH');
  });
});
