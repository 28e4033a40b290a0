import type { AnyIntegrationEvent } from '@pd/cqrs';
import { NotStartedError } from '../errors/busErrors.js';
import type { DeliveryOutcome, InMemoryMessageSubscriber } from './inMemoryMessageSubscriber.js';
import type { MessageBroker } from './messageBroker.js';

/** One message an {@link InMemoryMessageBroker} published. */
export interface PublishedMessage {
  readonly topic: string;
  readonly event: AnyIntegrationEvent;
  /** What the connected subscriber decided, or `undefined` when nobody listens to the topic. */
  readonly outcome: DeliveryOutcome | undefined;
}

/**
 * A {@link MessageBroker} in process memory. It records everything published and, when
 * subscribers are connected, delivers each message's JSON envelope to those subscribed to its
 * topic (a topic nobody listens to is normal for a broker: the message is only recorded).
 *
 * @example
 * const subscriber = new InMemoryMessageSubscriber();
 * const broker = new InMemoryMessageBroker().connect(subscriber);
 * await broker.start(); await subscriber.start();
 * await broker.publish('sales', new OrderShipped({ orderId }));
 * broker.published; // [{ topic: 'sales', event, outcome: 'ack' }]
 */
export class InMemoryMessageBroker implements MessageBroker {
  readonly #published: PublishedMessage[] = [];
  readonly #subscribers: InMemoryMessageSubscriber[] = [];
  #started = false;

  /** Delivers future publications to `subscriber` too. */
  connect(subscriber: InMemoryMessageSubscriber): this {
    if (!this.#subscribers.includes(subscriber)) this.#subscribers.push(subscriber);
    return this;
  }

  /** @throws NotStartedError before `start()` or after `stop()`. */
  async publish(topic: string, event: AnyIntegrationEvent): Promise<void> {
    if (!this.#started) throw new NotStartedError('InMemoryMessageBroker');
    let outcome: DeliveryOutcome | undefined;
    for (const subscriber of this.#subscribers) {
      if (!subscriber.has(topic)) continue;
      const result = await subscriber.deliver(topic, event.toJSON());
      outcome = outcome === 'nack' ? 'nack' : result;
    }
    this.#published.push(Object.freeze({ topic, event, outcome }));
  }

  async start(): Promise<void> {
    this.#started = true;
  }

  async stop(): Promise<void> {
    this.#started = false;
  }

  get started(): boolean {
    return this.#started;
  }

  /** Everything published so far, in order. */
  get published(): readonly PublishedMessage[] {
    return [...this.#published];
  }

  /** The events published to `topic`, in order. */
  publishedTo(topic: string): readonly AnyIntegrationEvent[] {
    return this.#published.filter((m) => m.topic === topic).map((m) => m.event);
  }

  /** Forgets what was published. */
  clear(): void {
    this.#published.length = 0;
  }
}
