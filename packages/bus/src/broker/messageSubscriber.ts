/** What an inbound handler tells the transport about one delivery. */
export interface DeliveryControl {
  /** Done with it: the broker may forget the message (also for poison messages). */
  ack(): void;
  /** Not done: the broker should redeliver it later. */
  nack(reason?: unknown): void;
}

/**
 * Handles one inbound message. `payload` is the decoded body. The handler may settle the delivery
 * explicitly through `delivery`; otherwise resolving acks and rejecting nacks.
 */
export type InboundHandler = (payload: unknown, delivery: DeliveryControl) => Promise<void>;

/**
 * The inbound side of a message broker (a Kafka consumer, a RabbitMQ channel, an SQS poller):
 * subscriptions by topic, then `start` to begin receiving. `subscribe` only registers; it is
 * synchronous. One handler per topic.
 */
export interface MessageSubscriber {
  subscribe(topic: string, handler: InboundHandler): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
