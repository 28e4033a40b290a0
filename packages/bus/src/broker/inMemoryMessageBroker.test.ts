import { InMemoryMessageBroker, InMemoryMessageSubscriber, NotStartedError } from '@pd/bus';
import { IntegrationEvent } from '@pd/cqrs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class ParcelShipped extends IntegrationEvent('shipping.ParcelShipped', { orderId: z.string() }) {}

describe('InMemoryMessageBroker', () => {
  it('records what it publishes and delivers the JSON envelope to connected subscribers of the topic', async () => {
    const subscriber = new InMemoryMessageSubscriber();
    const received: unknown[] = [];
    subscriber.subscribe('shipping', async (payload) => void received.push(payload));
    const broker = new InMemoryMessageBroker().connect(subscriber);
    await Promise.all([broker.start(), subscriber.start()]);
    const event = new ParcelShipped({ orderId: 'o-1' });
    await broker.publish('shipping', event);
    await broker.publish('elsewhere', event);
    expect(received).toEqual([event.toJSON()]);
    expect(broker.published.map((m) => [m.topic, m.outcome])).toEqual([
      ['shipping', 'ack'],
      ['elsewhere', undefined],
    ]);
    expect(broker.publishedTo('shipping')).toEqual([event]);
  });

  it('refuses to publish before start and after stop', async () => {
    const broker = new InMemoryMessageBroker();
    const event = new ParcelShipped({ orderId: 'o' });
    await expect(broker.publish('t', event)).rejects.toBeInstanceOf(NotStartedError);
    await broker.start();
    await broker.publish('t', event);
    await broker.stop();
    await expect(broker.publish('t', event)).rejects.toMatchObject({ code: 'NOT_STARTED' });
    expect(broker.published).toHaveLength(1);
  });
});
