import { Saga } from '@pd/advanced/saga';
import { OrderPlaced } from '@pd-examples/level1-domain';
import { CancelOrder, PayOrder } from '@pd-examples/level2-cqrs';
import { z } from 'zod';
import {
  ChargePayment,
  PaymentCharged,
  PaymentDeclined,
  ReleaseStock,
  ReserveStock,
  StockReserved,
} from './fulfilment.js';

const FulfilmentData = z.object({
  orderId: z.string().optional(),
  amount: z.number().int().optional(),
  currency: z.string().optional(),
});

/**
 * Order fulfilment: reserve stock → charge the payment → mark the order paid. When the payment is
 * declined, the saga fails: it cancels the order and runs its compensations newest first
 * (here: release the stock it reserved).
 *
 * One saga instance per order, found by the correlation id its events carry (the `PlaceOrder`
 * command's id); every command it sends carries the same correlation id.
 */
export class OrderFulfilment extends Saga<z.infer<typeof FulfilmentData>> {
  static override readonly sagaType: string = 'OrderFulfilment';
  static override readonly listensTo = [
    OrderPlaced,
    StockReserved,
    PaymentCharged,
    PaymentDeclined,
  ];
  static override readonly dataSchema = FulfilmentData;

  protected override configure(): void {
    this.on(OrderPlaced, (e) => {
      this.updateData({ orderId: e.orderId, amount: e.total.amount, currency: e.total.currency });
      this.state.setCurrentStep('reserving');
      this.dispatch(new ReserveStock({ orderId: e.orderId }));
      this.addCompensation(new ReleaseStock({ orderId: e.orderId }), 'release the reserved stock');
    });
    this.on(StockReserved, {
      step: 'charging',
      send: (e) =>
        new ChargePayment({
          orderId: e.orderId,
          amount: this.data.amount ?? 0,
          currency: this.data.currency ?? 'EUR',
        }),
    });
    this.on(PaymentCharged, {
      step: 'paid',
      send: (e) =>
        new PayOrder({
          orderId: e.orderId,
          paymentId: e.paymentId,
          amount: e.amount.amount,
          currency: e.amount.currency,
        }),
      complete: true,
    });
    this.on(PaymentDeclined, {
      step: 'declined',
      send: (e) => new CancelOrder({ orderId: e.orderId, reason: e.reason }),
      fail: true,
      failReason: (e) => `payment declined: ${e.reason}`,
    });
  }
}
