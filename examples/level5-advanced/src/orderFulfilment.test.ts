import { sagaSpec } from '@pd/testing';
import { Money, OrderPlaced } from '@pd-examples/level1-domain';
import { CancelOrder, PayOrder } from '@pd-examples/level2-cqrs';
import { describe, it } from 'vitest';
import {
  ChargePayment,
  PaymentCharged,
  PaymentDeclined,
  ReleaseStock,
  ReserveStock,
  StockReserved,
} from './fulfilment.js';
import { OrderFulfilment } from './orderFulfilment.js';

const orderId = '01a22086-22a3-7f80-a5f5-8d955858bbcd';
const commandTypes = [ReserveStock, ReleaseStock, ChargePayment, PayOrder, CancelOrder];
// Events without a correlation id get the spec's one, so they all reach the same saga.
const placed = new OrderPlaced({ orderId, customerId: 'ada', total: Money.of(2_000, 'EUR') });
const reserved = new StockReserved({ orderId });

describe('OrderFulfilment (saga spec, no database)', () => {
  it('charges the order total once the stock is reserved', async () => {
    await sagaSpec(OrderFulfilment, { commandTypes })
      .given([placed])
      .when(reserved)
      .thenCommands([new ChargePayment({ orderId, amount: 2_000, currency: 'EUR' })]);
  });

  it('cancels the order and releases the stock when the payment is declined', async () => {
    await sagaSpec(OrderFulfilment, { commandTypes })
      .given([placed, reserved])
      .when(new PaymentDeclined({ orderId, reason: 'card limit' }))
      .thenCompensations([new ReleaseStock({ orderId })]);
  });

  it('completes when the payment is charged', async () => {
    await sagaSpec(OrderFulfilment, { commandTypes })
      .given([placed, reserved])
      .when(new PaymentCharged({ orderId, paymentId: 'pay-1', amount: Money.of(2_000, 'EUR') }))
      .thenCommands([
        new PayOrder({ orderId, paymentId: 'pay-1', amount: 2_000, currency: 'EUR' }),
      ]);
  });
});
