import { type DeliveryOutcome, InMemoryMessageSubscriber } from '@pd/bus';

/** One delivery to a {@link FakeMessageSubscriber}. */
export interface RecordedDelivery {
  readonly topic: string;
  readonly payload: unknown;
  readonly outcome: DeliveryOutcome;
}

/**
 * The bus {@link InMemoryMessageSubscriber} (one handler per topic, `UnknownTopicError` for an
 * unknown topic, ack/nack outcomes) that also records every delivery and its outcome. Pair it
 * with the bus `InMemoryMessageBroker`, whose `published` list records the outbound side.
 */
export class FakeMessageSubscriber extends InMemoryMessageSubscriber {
  readonly #deliveries: RecordedDelivery[] = [];

  override async deliver(topic: string, payload: unknown): Promise<DeliveryOutcome> {
    const outcome = await super.deliver(topic, payload);
    this.#deliveries.push(Object.freeze({ topic, payload, outcome }));
    return outcome;
  }

  /** Deliveries that reached a handler, in order. */
  get deliveries(): readonly RecordedDelivery[] {
    return [...this.#deliveries];
  }
}
