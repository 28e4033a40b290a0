import { SubscriptionRunner } from '@pd/advanced';
import type { Worker } from '@pd/bus';
import { type AnyDomainEvent, DomainEvent } from '@pd/ddd';
import {
  EventSerializer,
  EventTypeMap,
  InMemoryCheckpointStore,
  InMemoryEventStore,
  type StoredEvent,
} from '@pd/eventsourcing';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

class OrderPlaced extends DomainEvent('OrderPlaced', { total: z.number() }) {}
class OrderPaid extends DomainEvent('OrderPaid', { at: z.string() }) {}

const runner = new SubscriptionRunner({
  eventStore: new InMemoryEventStore(),
  checkpointStore: new InMemoryCheckpointStore(),
});

describe('SubscriptionRunner types', () => {
  it('is a bus Worker', () => {
    expectTypeOf(runner).toExtend<Worker>();
  });

  it('gives a plain handler stored events', () => {
    runner.subscribe({
      id: 'raw',
      handler: (events) => {
        expectTypeOf(events).toEqualTypeOf<readonly StoredEvent[]>();
      },
    });
  });

  it('infers the handler event type from deserialize', () => {
    const serializer = new EventSerializer(EventTypeMap.of(OrderPlaced, OrderPaid));
    runner.subscribe({
      id: 'typed',
      deserialize: (e) => serializer.deserialize(e),
      handler: (events, context) => {
        expectTypeOf(events).toEqualTypeOf<readonly (OrderPlaced | OrderPaid)[]>();
        expectTypeOf(context.storedEvents).toEqualTypeOf<readonly StoredEvent[]>();
      },
    });
    runner.subscribe({
      id: 'wrong',
      deserialize: (e: StoredEvent): AnyDomainEvent => serializer.deserialize(e),
      // @ts-expect-error the handler cannot claim events that deserialize does not produce
      handler: async (_events: readonly OrderPlaced[]) => {},
    });
  });

  it('refuses a handler typed for domain events without deserialize', () => {
    // @ts-expect-error without deserialize, events are stored JSON
    runner.subscribe({ id: 'x', handler: async (_events: readonly OrderPlaced[]) => {} });
  });
});
