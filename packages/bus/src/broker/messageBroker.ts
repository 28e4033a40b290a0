import type { AnyIntegrationEvent } from '@pd/cqrs';

/**
 * The outbound side of a message broker: publishes integration events to other bounded contexts.
 * Adapters (Kafka, RabbitMQ, SNS…) implement it; pd ships {@link InMemoryMessageBroker}. The wire
 * form of an event is its `toJSON()` envelope (`{ type, eventId, occurredAt, payload }`), so the
 * receiver can dedupe on `eventId`. Feed it from an `OutboxRelay` to publish only what committed.
 */
export interface MessageBroker {
  publish(topic: string, event: AnyIntegrationEvent): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
