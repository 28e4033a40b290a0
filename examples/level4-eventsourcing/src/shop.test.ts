import { GetOrder, PayOrder, PlaceOrder } from '@pd-examples/level2-cqrs';
import { describe, expect, it } from 'vitest';
import { catchUp, createShop, OrderBoard } from './index.js';

describe('level 4: event-sourced orders', () => {
  it('stores each order as a stream of events and answers queries from a projection', async () => {
    const shop = createShop();
    const { orderId } = await shop.bus.send(
      new PlaceOrder({ customerId: 'ada', amount: 3_000, currency: 'EUR' }),
    );
    const pay = new PayOrder({ orderId, paymentId: 'pay-1', amount: 3_000, currency: 'EUR' });
    await shop.bus.send(pay);

    const stream = await shop.store.readStream(`Order-${orderId}`);
    expect(stream.version).toBe(2);
    expect(stream.events.map((e) => [e.type, e.schemaVersion])).toEqual([
      ['OrderPlaced', 2],
      ['OrderPaid', 1],
    ]);
    expect(stream.events[1]?.metadata.commandId).toBe(pay.commandId);
    expect(stream.events[1]?.correlationId).toBe(pay.commandId);

    expect(await shop.bus.ask(new GetOrder({ orderId }))).toEqual({
      orderId,
      customerId: 'ada',
      total: '30.00 EUR',
      status: 'paid',
    });
    expect(shop.board.checkpoint).toBe(2);
  });

  it('leaves the store untouched when a command breaks a rule', async () => {
    const shop = createShop();
    const { orderId } = await shop.bus.send(
      new PlaceOrder({ customerId: 'ada', amount: 100, currency: 'EUR' }),
    );
    await expect(
      shop.bus.send(new PayOrder({ orderId, paymentId: 'p', amount: 99, currency: 'EUR' })),
    ).rejects.toMatchObject({ causeCode: 'PAYMENT_MISMATCH' });
    expect((await shop.store.readAll()).events).toHaveLength(1);
  });

  it('rebuilds a fresh projection from the whole log with the same result', async () => {
    const shop = createShop();
    for (const customerId of ['ada', 'bob', 'cy']) {
      await shop.bus.send(new PlaceOrder({ customerId, amount: 1_000, currency: 'USD' }));
    }
    await catchUp(shop.store, shop.board);
    const fresh = new OrderBoard();
    await fresh.rebuild((await shop.store.readAll()).events);
    expect([...fresh.orders.values()]).toEqual([...shop.board.orders.values()]);
    expect(fresh.checkpoint).toBe(3);
    // Catching up again applies nothing: the checkpoint says everything was seen.
    expect(await catchUp(shop.store, shop.board)).toBe(0);
  });
});
