import {
  DuplicateSubscriptionError,
  InMemoryMessageSubscriber,
  NotStartedError,
  UnknownTopicError,
} from '@pd/bus';
import { isPdError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';

describe('InMemoryMessageSubscriber', () => {
  it('resolves ack when the handler succeeds, nack when it throws, or what the handler decided', async () => {
    const subscriber = new InMemoryMessageSubscriber();
    subscriber.subscribe('ok', async () => undefined);
    subscriber.subscribe('fails', async () => {
      throw new Error('no');
    });
    subscriber.subscribe('explicit-nack', async (_p, d) => d.nack('later'));
    subscriber.subscribe('ack-then-throw', async (_p, d) => {
      d.ack();
      throw new Error('after ack');
    });
    await subscriber.start();
    expect(await subscriber.deliver('ok', {})).toBe('ack');
    expect(await subscriber.deliver('fails', {})).toBe('nack');
    expect(await subscriber.deliver('explicit-nack', {})).toBe('nack');
    expect(await subscriber.deliver('ack-then-throw', {})).toBe('ack');
  });

  it('an unknown topic is a typed error, never a silent drop', async () => {
    const subscriber = new InMemoryMessageSubscriber();
    await subscriber.start();
    const error = await subscriber.deliver('nobody', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownTopicError);
    expect(isPdError(error, 'UNKNOWN_TOPIC')).toBe(true);
    expect(error).toMatchObject({ topic: 'nobody' });
  });

  it('refuses a second handler for a topic, and deliveries before start', async () => {
    const subscriber = new InMemoryMessageSubscriber();
    subscriber.subscribe('t', async () => undefined);
    expect(() => subscriber.subscribe('t', async () => undefined)).toThrow(
      DuplicateSubscriptionError,
    );
    await expect(subscriber.deliver('t', {})).rejects.toBeInstanceOf(NotStartedError);
    expect(subscriber.topics).toEqual(['t']);
  });
});
