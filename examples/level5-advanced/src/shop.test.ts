import { PGlite } from '@electric-sql/pglite';
import { SagaStatus } from '@pd/advanced/saga';
import { fromPGlite } from '@pd/postgres';
import { GetOrder, PlaceOrder } from '@pd-examples/level2-cqrs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyOrderPlaced, openShop, type Shop } from './index.js';

let shop: Shop;
beforeAll(async () => {
  shop = await openShop({ db: fromPGlite(await PGlite.create(), { ownsDatabase: true }) });
}, 60_000);
afterAll(() => shop?.db.close());

const place = (customerId: string, amount: number) =>
  new PlaceOrder({ customerId, amount, currency: 'EUR' });

describe('level 5 on PostgreSQL (PGlite)', () => {
  it('fulfils an order: reserve stock → charge → paid, on the board and in the saga', async () => {
    const command = place('ada', 4_200);
    const { orderId } = await shop.bus.send(command);
    await shop.catchUp();

    expect(await shop.bus.ask(new GetOrder({ orderId }))).toMatchObject({ status: 'paid' });
    const saga = await shop.sagaRepository.findByCorrelationId(
      command.commandId,
      'OrderFulfilment',
    );
    expect(saga?.status).toBe(SagaStatus.COMPLETED);
    const order = await shop.eventStore.readStream(`Order-${orderId}`);
    expect(order.events.map((e) => e.type)).toEqual(['OrderPlaced', 'OrderPaid']);
    // Every event of the saga's commands carries the correlation id of the PlaceOrder command.
    expect(order.events.every((e) => e.correlationId === command.commandId)).toBe(true);
    // Two events reached the threshold: the order was snapshotted at version 2.
    expect((await shop.snapshots.get('Order', orderId))?.version).toBe(2);
  });

  it('compensates when the payment is declined: stock released, order cancelled', async () => {
    const command = place('bob', 250_000); // over the card limit
    const { orderId } = await shop.bus.send(command);
    await shop.catchUp();

    const saga = await shop.sagaRepository.findByCorrelationId(
      command.commandId,
      'OrderFulfilment',
    );
    expect(saga?.status).toBe(SagaStatus.COMPENSATED);
    expect(saga?.error).toMatch(/payment declined/);
    const stock = await shop.eventStore.readStream(`StockReservation-${orderId}`);
    expect(stock.events.map((e) => e.type)).toEqual(['StockReserved', 'StockReleased']);
    expect((await shop.board.get(orderId))?.status).toBe('cancelled');
  });

  it('reads OrderPlaced v1 events through the upcaster, leaving the stored event as it was', async () => {
    const orderId = crypto.randomUUID();
    await shop.eventStore.appendToStream(
      `Order-${orderId}`,
      [legacyOrderPlaced(orderId, 'cy', 3_000)],
      {
        expectedVersion: 'no_stream',
      },
    );
    await shop.catchUp(); // the board reads it as v2; the saga loads the order (upcast) and pays it

    expect(await shop.board.get(orderId)).toMatchObject({ total: '30.00 EUR', status: 'paid' });
    const [stored] = (await shop.eventStore.readStream(`Order-${orderId}`)).events;
    expect(stored).toMatchObject({ schemaVersion: 1, payload: { amountCents: 3_000 } });
  });

  it('does not apply an event twice when the subscriptions run again', async () => {
    const before = await shop.board.summary();
    expect(await shop.catchUp()).toEqual({ board: 0, fulfilment: 0 });
    expect(await shop.board.summary()).toEqual(before);
  });
});
