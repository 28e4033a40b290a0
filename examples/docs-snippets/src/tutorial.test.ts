// tutorial block: test
import { CommandExecutionError } from '@pd/cqrs';
import { describe, expect, it } from 'vitest';
import { createShop, GetOrderStatus, Money, Order, PayOrder, PlaceOrder } from './tutorial.js';

describe('the tutorial shop', () => {
  it('places and pays an order, and confirms it after commit', async () => {
    const confirmations: string[] = [];
    const bus = createShop(confirmations);

    const { orderId } = await bus.send(new PlaceOrder({ customerId: 'ada', amount: 4200 }));
    await bus.send(new PayOrder({ orderId }));

    expect(await bus.ask(new GetOrderStatus({ orderId }))).toBe('paid');
    expect(confirmations).toEqual([`ada: order ${orderId} placed (4200 cents)`]);
  });

  it('refuses to pay twice, with a typed error code', async () => {
    const bus = createShop();
    const { orderId } = await bus.send(new PlaceOrder({ customerId: 'ada', amount: 100 }));
    await bus.send(new PayOrder({ orderId }));

    const error = await bus.send(new PayOrder({ orderId })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandExecutionError);
    expect((error as CommandExecutionError).causeCode).toBe('ORDER_NOT_PLACED');
  });

  it('records one event per change', () => {
    const order = Order.place('ada', new Money({ amount: 500, currency: 'EUR' }));
    order.pay();
    expect(order.pullEvents().map((e) => e.eventType)).toEqual(['OrderPlaced', 'OrderPaid']);
  });
});
// end tutorial block
