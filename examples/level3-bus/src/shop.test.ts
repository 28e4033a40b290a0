import { InMemoryMessageSubscriber } from '@pd/bus';
import { GetOrder, PlaceOrder } from '@pd-examples/level2-cqrs';
import { afterEach, describe, expect, it } from 'vitest';
import { createShop, MemoryMailer, PaymentReceived } from './index.js';

type Shop = Awaited<ReturnType<typeof createShop>>;
let shop: Shop | undefined;
afterEach(async () => {
  await shop?.app.shutdown();
});

/** A consumer in another system: resolves once it has received `count` broker messages. */
function warehouse(s: Shop, count: number) {
  const received: { type: string; payload: Record<string, unknown> }[] = [];
  const subscriber = new InMemoryMessageSubscriber();
  const done = new Promise<typeof received>((resolve) => {
    subscriber.subscribe('sales', async (message) => {
      received.push(message as { type: string; payload: Record<string, unknown> });
      if (received.length === count) resolve(received);
    });
  });
  s.broker.connect(subscriber);
  return { done, start: () => subscriber.start() };
}

describe('level 3: message bus, outbox, broker, gateway', () => {
  it('mails a confirmation after commit and relays the event to the broker through the outbox', async () => {
    const mailer = new MemoryMailer();
    shop = await createShop({ mailer });
    const consumer = warehouse(shop, 1);
    await consumer.start();

    const { orderId } = await shop.app.send(
      new PlaceOrder({ customerId: 'ada', amount: 1_999, currency: 'EUR' }),
    );
    // The in-process handler ran right after the commit, before `send` resolved.
    expect(mailer.sent).toEqual([{ to: 'ada', subject: `Order ${orderId} confirmed: 19.99 EUR` }]);

    // The relay (a worker `bootstrap` started) publishes the outbox row to the broker.
    const [message] = await consumer.done;
    expect(message).toMatchObject({
      type: 'sales.OrderPlaced',
      payload: { orderId, customerId: 'ada', amount: 1_999, currency: 'EUR' },
    });
    await shop.app.shutdown(); // stops the relay after its round: the row is marked sent
    expect(shop.outbox.pending()).toEqual([]);
  });

  it('turns an inbound billing message into a PayOrder command and acknowledges it', async () => {
    shop = await createShop();
    const { orderId } = await shop.app.send(
      new PlaceOrder({ customerId: 'bob', amount: 500, currency: 'USD' }),
    );
    const payment = new PaymentReceived({
      orderId,
      paymentId: 'pay-9',
      amount: 500,
      currency: 'USD',
    });

    expect(await shop.inbound.deliver('billing', payment.toJSON())).toBe('ack');
    expect((await shop.app.ask(new GetOrder({ orderId })))?.status).toBe('paid');
    expect((shop.mailer as MemoryMailer).sent.at(-1)?.subject).toBe(
      `Order ${orderId} paid (pay-9)`,
    );
    // Brokers redeliver: the same message again is acknowledged without paying twice, because its
    // command id is the message's event id and the idempotency behaviour returns the first result.
    expect(await shop.inbound.deliver('billing', payment.toJSON())).toBe('ack');
    expect((shop.mailer as MemoryMailer).sent).toHaveLength(2); // confirmation + one receipt

    // A different payment for a paid order breaks a rule: nacked, so billing's broker can park it.
    const second = new PaymentReceived({
      orderId,
      paymentId: 'pay-10',
      amount: 500,
      currency: 'USD',
    });
    expect(await shop.inbound.deliver('billing', second.toJSON())).toBe('nack');
  });

  it('refuses new commands after shutdown, once the workers have stopped', async () => {
    shop = await createShop();
    await shop.app.shutdown();
    expect(shop.relay.running).toBe(false);
    await expect(
      shop.app.send(new PlaceOrder({ customerId: 'ada', amount: 1, currency: 'EUR' })),
    ).rejects.toMatchObject({ code: 'APPLICATION_STOPPED' });
  });
});
