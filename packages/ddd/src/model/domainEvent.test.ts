import {
  DomainEvent,
  FixedClock,
  type IdGenerator,
  isPdError,
  ValidationError,
  ValueObject,
  withDomainDefaults,
} from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class Money extends ValueObject('Money', {
  amount: z.number().int(),
  currency: z.string().length(3),
}) {}

class OrderPlaced extends DomainEvent('OrderPlaced', {
  orderId: z.string(),
  total: Money.schema(),
  lines: z.array(z.string()),
}) {}
class OrderCancelled extends DomainEvent('OrderCancelled', { orderId: z.string() }) {}
class OrderShipped extends DomainEvent(
  'OrderShipped',
  { orderId: z.string() },
  { schemaVersion: 3 },
) {}
class OrderArchived extends DomainEvent('OrderArchived', { orderId: z.string() }) {}

class Counting implements IdGenerator<string> {
  n = 0;
  generate(): string {
    this.n += 1;
    return `evt-${this.n}`;
  }
}

const payload = () => ({ orderId: 'o-1', total: { amount: 10, currency: 'EUR' }, lines: ['A'] });
const at = '2026-02-03T04:05:06.789Z';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('DomainEvent: metadata defaults', () => {
  it('takes its id from the generator and its time from the clock in scope', () => {
    const ids = new Counting();
    const clock = new FixedClock(at);
    const [a, b] = withDomainDefaults({ idGenerator: ids, clock }, () => {
      const first = new OrderPlaced(payload());
      clock.advance(1);
      return [first, new OrderPlaced(payload())];
    });
    expect(a?.eventId).toBe('evt-1');
    expect(b?.eventId).toBe('evt-2');
    expect(a?.occurredAt.toISOString()).toBe(at);
    expect(b?.occurredAt.toISOString()).toBe('2026-02-03T04:05:06.790Z');
  });

  it('defaults to a UUIDv7 id, schema version 1 and no tracing ids', () => {
    const event = new OrderPlaced(payload());
    expect(event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(event.occurredAt).toBeInstanceOf(Date);
    expect(event.schemaVersion).toBe(1);
    expect(OrderPlaced.schemaVersion).toBe(1);
    expect(event.correlationId).toBeNull();
    expect(event.causationId).toBeNull();
  });

  it('uses the per-type schema version, and an explicit one wins', () => {
    expect(OrderShipped.schemaVersion).toBe(3);
    expect(new OrderShipped({ orderId: 'o-1' }).schemaVersion).toBe(3);
    expect(new OrderShipped({ orderId: 'o-1' }, { schemaVersion: 2 }).schemaVersion).toBe(2);
  });

  it('uses a per-type generator and clock before the defaults in scope', () => {
    const ids = new Counting();
    class Audited extends DomainEvent(
      'Audited',
      {},
      { idGenerator: ids, clock: new FixedClock(0) },
    ) {}
    const event = withDomainDefaults({ clock: new FixedClock(at) }, () => new Audited({}));
    expect(event.eventId).toBe('evt-1');
    expect(event.occurredAt.getTime()).toBe(0);
  });

  it('keeps explicit metadata and accepts an ISO string for occurredAt', () => {
    const event = new OrderCancelled(
      { orderId: 'o-1' },
      { eventId: 'e-1', occurredAt: at, correlationId: 'c-1', causationId: 'k-1' },
    );
    expect(event.metadata()).toEqual({
      eventId: 'e-1',
      occurredAt: new Date(at),
      schemaVersion: 1,
      correlationId: 'c-1',
      causationId: 'k-1',
    });
  });

  it('copies a given Date, so the caller changing it later does not change the event', () => {
    const when = new Date(at);
    const event = new OrderCancelled({ orderId: 'o-1' }, { occurredAt: when });
    when.setTime(0);
    expect(event.occurredAt.toISOString()).toBe(at);
  });

  it('rejects an invalid schema version at definition', () => {
    expect(() => DomainEvent('Bad', {}, { schemaVersion: 0 })).toThrow(ValidationError);
    expect(() => DomainEvent('Bad', {}, { schemaVersion: 1.5 })).toThrow(ValidationError);
  });
});

describe('DomainEvent: validation', () => {
  it.each(['eventId', 'occurredAt'])('rejects an explicit null %s', (field) => {
    const error = thrown(() => new OrderCancelled({ orderId: 'o-1' }, { [field]: null } as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
  });

  it.each([
    ['eventId', 42],
    ['eventId', ''],
    ['occurredAt', 1_700_000_000_000],
    ['occurredAt', true],
    ['occurredAt', 'yesterday'],
    ['occurredAt', new Date('nonsense')],
    ['schemaVersion', 0],
    ['schemaVersion', '2'],
    ['correlationId', 7],
    ['causationId', {}],
  ])('rejects %s = %j', (field, value) => {
    const error = thrown(() => new OrderCancelled({ orderId: 'o-1' }, { [field]: value } as never));
    expect(isPdError(error, 'VALIDATION')).toBe(true);
    expect((error as ValidationError).field).toBe(field);
  });

  it('accepts null tracing ids', () => {
    const event = new OrderCancelled(
      { orderId: 'o-1' },
      { correlationId: null, causationId: null },
    );
    expect(event.correlationId).toBeNull();
  });

  it('rejects a wrong payload field by name', () => {
    const error = thrown(() => new OrderCancelled({ orderId: 5 } as never));
    expect((error as ValidationError).field).toBe('orderId');
    const nested = thrown(
      () => new OrderPlaced({ ...payload(), total: { amount: 1, currency: 'E' } }),
    );
    expect((nested as ValidationError).field).toBe('total.currency');
  });

  it('ignores unknown payload keys', () => {
    const input = { orderId: 'o-1', extra: true };
    expect(new OrderCancelled(input).payload()).toEqual({ orderId: 'o-1' });
  });

  it('rejects reserved payload names and invalid type names at definition', () => {
    for (const name of [
      'eventId',
      'occurredAt',
      'schemaVersion',
      'correlationId',
      'causationId',
      'eventType',
      'payload',
      'metadata',
      'stamp',
      'equals',
      'toJSON',
    ]) {
      const error = thrown(() => DomainEvent('Bad', { [name]: z.string() }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(name);
    }
    expect((thrown(() => DomainEvent('', {})) as ValidationError).field).toBe('typeName');
  });
});

describe('DomainEvent: immutability and equality', () => {
  it('is frozen, payload included', () => {
    const event = new OrderPlaced(payload());
    expect(Object.isFrozen(event)).toBe(true);
    expect(() => {
      (event as { orderId: string }).orderId = 'o-2';
    }).toThrow(TypeError);
    expect(() => {
      (event as { eventId: string }).eventId = 'x';
    }).toThrow(TypeError);
    expect(() => (event.lines as string[]).push('B')).toThrow(TypeError);
  });

  it('never makes two auto-generated events equal', () => {
    expect(
      new OrderCancelled({ orderId: 'o-1' }).equals(new OrderCancelled({ orderId: 'o-1' })),
    ).toBe(false);
  });

  it('is equal when metadata and payload are equal, and deduplicates by hash key', () => {
    const meta = { eventId: 'e-1', occurredAt: at };
    const a = new OrderPlaced(payload(), meta);
    const b = new OrderPlaced(payload(), meta);
    expect(a.equals(b)).toBe(true);
    expect(a.hashKey()).toBe(b.hashKey());
    expect(new Map([a, b].map((e) => [e.hashKey(), e])).size).toBe(1);
    expect(a.equals(new OrderPlaced({ ...payload(), lines: [] }, meta))).toBe(false);
    expect(a.equals(new OrderPlaced(payload(), { ...meta, correlationId: 'c' }))).toBe(false);
    expect(a.equals(null)).toBe(false);
    expect(a.equals(a.toJSON())).toBe(false);
  });

  it('never makes events of different types equal, even with the same payload and metadata', () => {
    const meta = { eventId: 'e-1', occurredAt: at };
    const cancelled = new OrderCancelled({ orderId: 'o-1' }, meta);
    const archived = new OrderArchived({ orderId: 'o-1' }, meta);
    expect(cancelled.equals(archived)).toBe(false);
    expect(cancelled.hashKey()).not.toBe(archived.hashKey());
  });

  it('exposes its type name on the class and the instance', () => {
    expect(OrderPlaced.typeName).toBe('OrderPlaced');
    expect(new OrderCancelled({ orderId: 'o' }).eventType).toBe('OrderCancelled');
  });
});

describe('DomainEvent: stamp', () => {
  it('returns a new frozen copy with the tracing ids and everything else kept', () => {
    const original = new OrderPlaced(payload());
    const stamped = original.stamp({ correlationId: 'corr-1', causationId: 'cause-1' });
    expect(stamped).not.toBe(original);
    expect(stamped).toBeInstanceOf(OrderPlaced);
    expect(Object.isFrozen(stamped)).toBe(true);
    expect(stamped.correlationId).toBe('corr-1');
    expect(stamped.causationId).toBe('cause-1');
    expect(stamped.eventId).toBe(original.eventId);
    expect(stamped.occurredAt.getTime()).toBe(original.occurredAt.getTime());
    expect(stamped.schemaVersion).toBe(original.schemaVersion);
    expect(stamped.payload()).toEqual(original.payload());
    expect(stamped.total).toBeInstanceOf(Money);
    expect(original.correlationId).toBeNull();
    expect(original.causationId).toBeNull();
  });

  it('replaces the ids when stamped again, and accepts null', () => {
    const event = new OrderCancelled({ orderId: 'o-1' })
      .stamp({ correlationId: 'a', causationId: 'b' })
      .stamp({ correlationId: 'c', causationId: null });
    expect(event.correlationId).toBe('c');
    expect(event.causationId).toBeNull();
  });

  it('does not call the id generator or the clock', () => {
    const ids = new Counting();
    const event = new OrderCancelled({ orderId: 'o-1' }, { eventId: 'e-1', occurredAt: at });
    const stamped = withDomainDefaults({ idGenerator: ids, clock: new FixedClock(0) }, () =>
      event.stamp({ correlationId: 'c', causationId: 'k' }),
    );
    expect(ids.n).toBe(0);
    expect(stamped.occurredAt.toISOString()).toBe(at);
  });
});

describe('DomainEvent: JSON', () => {
  const event = new OrderPlaced(payload(), {
    eventId: 'e-1',
    occurredAt: at,
    correlationId: 'c-1',
    causationId: null,
  });

  it('has a stable JSON form', () => {
    expect(JSON.parse(JSON.stringify(event))).toEqual({
      type: 'OrderPlaced',
      schemaVersion: 1,
      eventId: 'e-1',
      occurredAt: at,
      correlationId: 'c-1',
      causationId: null,
      payload: { orderId: 'o-1', total: { amount: 10, currency: 'EUR' }, lines: ['A'] },
    });
  });

  it('round-trips to an equal event of the subclass, with a real Date and nested value objects', () => {
    const back = OrderPlaced.fromJSON(JSON.parse(JSON.stringify(event)));
    expect(back).toBeInstanceOf(OrderPlaced);
    expect(back.equals(event)).toBe(true);
    expect(back.occurredAt).toBeInstanceOf(Date);
    expect(back.occurredAt.toISOString()).toBe(at);
    expect(back.total).toBeInstanceOf(Money);
  });

  it('keeps a stored schema version', () => {
    const json = { ...new OrderShipped({ orderId: 'o' }).toJSON(), schemaVersion: 2 };
    expect(OrderShipped.fromJSON(json).schemaVersion).toBe(2);
  });

  it('rejects JSON of another type', () => {
    const error = thrown(() =>
      OrderCancelled.fromJSON({ ...event.toJSON(), type: 'OrderArchived' }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('type');
  });

  it('rejects non-objects and bad payloads', () => {
    expect(() => OrderCancelled.fromJSON(null)).toThrow(ValidationError);
    expect(() => OrderCancelled.fromJSON('x')).toThrow(ValidationError);
    const error = thrown(() => OrderCancelled.fromJSON({ type: 'OrderCancelled', payload: {} }));
    expect((error as ValidationError).field).toBe('orderId');
  });

  it('exports the JSON Schema of its payload', () => {
    expect(OrderCancelled.jsonSchema()).toMatchObject({
      type: 'object',
      properties: { orderId: { type: 'string' } },
      required: ['orderId'],
    });
  });
});
