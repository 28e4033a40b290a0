import {
  DuplicateSubscriptionError,
  NotStartedError,
  UnknownTopicError,
} from '../errors/busErrors.js';
import type { DeliveryControl, InboundHandler, MessageSubscriber } from './messageSubscriber.js';

/** How an inbound delivery ended. */
export type DeliveryOutcome = 'ack' | 'nack';

/**
 * A {@link MessageSubscriber} that you feed by hand (or from an `InMemoryMessageBroker`):
 * `deliver(topic, payload)` runs the topic's handler and resolves to the outcome a real broker
 * would see — `'ack'` or `'nack'` — so tests can assert exactly what a gateway decided.
 *
 * @example
 * const subscriber = new InMemoryMessageSubscriber();
 * gateway.route('orders', OrderShipped, (ie) => new MarkShipped({ orderId: ie.orderId }));
 * await subscriber.start();
 * expect(await subscriber.deliver('orders', { orderId })).toBe('ack');
 */
export class InMemoryMessageSubscriber implements MessageSubscriber {
  readonly #handlers = new Map<string, InboundHandler>();
  #started = false;

  subscribe(topic: string, handler: InboundHandler): void {
    if (this.#handlers.has(topic)) throw new DuplicateSubscriptionError(topic);
    this.#handlers.set(topic, handler);
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

  /** Subscribed topics, in subscription order. */
  get topics(): readonly string[] {
    return [...this.#handlers.keys()];
  }

  /** True when a handler is subscribed to `topic`. */
  has(topic: string): boolean {
    return this.#handlers.has(topic);
  }

  /**
   * Delivers one message. The first `ack`/`nack` the handler calls decides the outcome; if it
   * calls neither, resolving means `'ack'` and throwing means `'nack'`.
   *
   * @throws UnknownTopicError when nobody subscribed to `topic` (never a silent drop).
   * @throws NotStartedError before `start()` or after `stop()`.
   */
  async deliver(topic: string, payload: unknown): Promise<DeliveryOutcome> {
    if (!this.#started) throw new NotStartedError('InMemoryMessageSubscriber');
    const handler = this.#handlers.get(topic);
    if (handler === undefined) throw new UnknownTopicError(topic);
    let outcome: DeliveryOutcome | undefined;
    const delivery: DeliveryControl = {
      ack: () => {
        outcome ??= 'ack';
      },
      nack: () => {
        outcome ??= 'nack';
      },
    };
    try {
      await handler(payload, delivery);
      return outcome ?? 'ack';
    } catch {
      return outcome ?? 'nack';
    }
  }
}
