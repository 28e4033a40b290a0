import type { MessageBus } from '../bus/messageBus.js';
import type { EventRegistry } from '../registry/eventRegistry.js';
import type { OutboxPublisher } from './outboxRelay.js';

/**
 * An {@link OutboxPublisher} that rebuilds each record's event with `registry` (upcasting it, or
 * reading an unknown type as a `GenericDomainEvent`) and publishes it on `bus`. Build the bus with
 * `deliverAfterCommit: false` so handlers run once per event — from the relay, at least once,
 * even across crashes — and with the `'collect'` error policy (or a retry that ends in it) if
 * handler failures should make the relay retry the record.
 *
 * @example
 * const bus = new MessageBus({ deliverAfterCommit: false, errorPolicy: 'collect' });
 * const relay = new OutboxRelay(outbox, messageBusPublisher(bus, registry));
 */
export function messageBusPublisher(
  bus: Pick<MessageBus, 'publish'>,
  registry: EventRegistry,
): OutboxPublisher {
  return async (record) => {
    await bus.publish(registry.deserialize(record.event));
  };
}
