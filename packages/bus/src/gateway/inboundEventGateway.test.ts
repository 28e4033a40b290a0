import {
  InboundEventGateway,
  InMemoryDeadLetterSink,
  InMemoryMessageBroker,
  InMemoryMessageSubscriber,
  MessageBus,
  type MessageBusOptions,
} from '@pd/bus';
import { IntegrationEvent } from '@pd/cqrs';
import { InMemoryRepository } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfirmOrder,
  type Order,
  OrderConfirmed,
  OrderShipped,
  PlaceOrder,
  recordingLogger,
  shopHandlers,
} from '../testSupport/shop.js';

class PaymentReceived extends IntegrationEvent('billing.PaymentReceived', {
  orderId: z.string(),
  amount: z.number(),
}) {}
class ParcelShipped extends IntegrationEvent('shipping.ParcelShipped', { orderId: z.string() }) {}

async function setUp(options: MessageBusOptions = {}) {
  const orders = new InMemoryRepository<Order>();
  const h = shopHandlers(orders);
  const logger = recordingLogger();
  const bus = new MessageBus({ logger, ...options })
    .registerCommand(PlaceOrder, h.placeOrder, { uow: h.uow })
    .registerCommand(ConfirmOrder, h.confirmOrder, { uow: h.uow });
  const subscriber = new InMemoryMessageSubscriber();
  const dead = new InMemoryDeadLetterSink();
  const gateway = new InboundEventGateway(subscriber, bus, { logger, deadLetter: dead })
    .route('billing', PaymentReceived, (ie) => new ConfirmOrder({ orderId: ie.orderId }))
    .route('shipping', ParcelShipped, (ie) => new OrderShipped({ orderId: ie.orderId }));
  await gateway.start();
  await bus.send(new PlaceOrder({ orderId: 'o-1', total: 10 }));
  return { bus, subscriber, gateway, logger, dead, orders };
}

describe('InboundEventGateway', () => {
  it('translates to a command, sends it and acks', async () => {
    const { subscriber, orders } = await setUp();
    const payment = new PaymentReceived({ orderId: 'o-1', amount: 10 });
    expect(await subscriber.deliver('billing', payment.toJSON())).toBe('ack');
    expect((await orders.getById('o-1'))?.status).toBe('confirmed');
  });

  it('translates to a domain event, publishes it on the bus and acks', async () => {
    const { bus, subscriber } = await setUp();
    const seen: string[] = [];
    bus.on(OrderShipped, (e) => void seen.push(e.orderId));
    expect(
      await subscriber.deliver('shipping', new ParcelShipped({ orderId: 'o-1' }).toJSON()),
    ).toBe('ack');
    expect(seen).toEqual(['o-1']);
  });

  it('accepts a flat payload from a foreign producer (the topic implies the type)', async () => {
    const { subscriber, orders } = await setUp();
    expect(await subscriber.deliver('billing', { orderId: 'o-1', amount: 10, extra: true })).toBe(
      'ack',
    );
    expect((await orders.getById('o-1'))?.status).toBe('confirmed');
  });

  it('a malformed payload (poison) is acked, logged and dead-lettered, never redelivered', async () => {
    const { subscriber, logger, dead } = await setUp();
    expect(await subscriber.deliver('billing', { orderId: 'o-1', amount: 'ten' })).toBe('ack');
    expect(await subscriber.deliver('billing', 'not json object')).toBe('ack');
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(2);
    expect(dead.records).toEqual([
      expect.objectContaining({
        source: 'inbound-gateway',
        topic: 'billing',
        payload: { orderId: 'o-1', amount: 'ten' },
      }),
      expect.objectContaining({ source: 'inbound-gateway', payload: 'not json object' }),
    ]);
    expect(dead.records[0]?.error).toMatchObject({ code: 'VALIDATION' });
  });

  it('a translation failure nacks, so the broker redelivers', async () => {
    const { bus } = await setUp();
    const subscriber = new InMemoryMessageSubscriber();
    new InboundEventGateway(subscriber, bus, { logger: recordingLogger() }).route(
      't',
      ParcelShipped,
      () => {
        throw new Error('cannot translate');
      },
    );
    await subscriber.start();
    expect(await subscriber.deliver('t', { orderId: 'o' })).toBe('nack');
  });

  it('a failing command nacks', async () => {
    const { subscriber, logger } = await setUp();
    // ConfirmOrder for an unknown order fails in its handler.
    expect(await subscriber.deliver('billing', { orderId: 'missing', amount: 1 })).toBe('nack');
    expect(logger.lines.at(-1)).toMatchObject({
      level: 'error',
      fields: { topic: 'billing', eventType: 'billing.PaymentReceived' },
    });
  });

  it("§10.3 #12: an event handler failure nacks under the bus's 'collect' policy — no patching needed", async () => {
    const { bus, subscriber } = await setUp({ errorPolicy: 'collect' });
    let attempts = 0;
    bus.on(OrderShipped, () => {
      attempts++;
      if (attempts === 1) throw new Error('read model down');
    });
    const message = new ParcelShipped({ orderId: 'o-1' }).toJSON();
    expect(await subscriber.deliver('shipping', message)).toBe('nack');
    // The broker redelivers; this time the handler succeeds.
    expect(await subscriber.deliver('shipping', message)).toBe('ack');
  });

  it('a command sent by the gateway is caused by the integration event', async () => {
    const { bus, subscriber } = await setUp();
    const confirmed: OrderConfirmed[] = [];
    bus.on(OrderConfirmed, (e) => void confirmed.push(e));
    const payment = new PaymentReceived({ orderId: 'o-1', amount: 10 });
    await subscriber.deliver('billing', payment.toJSON());
    expect(confirmed[0]?.correlationId).toBe(payment.eventId);
  });

  it('works end to end behind an in-memory broker, and refuses a second route for a topic', async () => {
    const { subscriber, gateway, orders } = await setUp();
    const broker = new InMemoryMessageBroker().connect(subscriber);
    await broker.start();
    await broker.publish('billing', new PaymentReceived({ orderId: 'o-1', amount: 10 }));
    expect(broker.published[0]?.outcome).toBe('ack');
    expect((await orders.getById('o-1'))?.status).toBe('confirmed');
    expect([...gateway.routes]).toEqual([
      ['billing', 'billing.PaymentReceived'],
      ['shipping', 'shipping.ParcelShipped'],
    ]);
    expect(() =>
      gateway.route('billing', PaymentReceived, (ie) => new ConfirmOrder({ orderId: ie.orderId })),
    ).toThrow(expect.objectContaining({ code: 'DUPLICATE_SUBSCRIPTION' }));
  });

  it('stop() stops the subscriber', async () => {
    const { subscriber, gateway } = await setUp();
    await gateway.stop();
    expect(subscriber.started).toBe(false);
  });
});
