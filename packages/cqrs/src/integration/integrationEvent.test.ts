import { IntegrationEvent } from '@pd/cqrs';
import { FixedClock, isPdError, type ValidationError, withDomainDefaults } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class OrderShipped extends IntegrationEvent('sales.OrderShipped', {
  orderId: z.string(),
  lines: z.array(z.object({ sku: z.string(), qty: z.number() })),
  meta: z.record(z.string(), z.unknown()).optional(),
}) {}

class Loose extends IntegrationEvent('Loose', { value: z.unknown() }) {}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isPdError(e, 'VALIDATION')).toBe(true);
    return (e as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

describe('IntegrationEvent', () => {
  it('mints eventId from the id generator and occurredAt as an ISO UTC string from the clock', () => {
    const event = withDomainDefaults(
      { clock: new FixedClock('2026-03-01T10:00:00Z'), idGenerator: { generate: () => 'evt-1' } },
      () => new OrderShipped({ orderId: 'o1', lines: [] }),
    );
    expect(event.eventId).toBe('evt-1');
    expect(event.occurredAt).toBe('2026-03-01T10:00:00.000Z');
    expect(event.eventType).toBe('sales.OrderShipped');
    expect(new OrderShipped({ orderId: 'o', lines: [] }).eventId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7/,
    );
  });

  it('is frozen deep down and accepts explicit metadata', () => {
    const event = new OrderShipped(
      { orderId: 'o1', lines: [{ sku: 'a', qty: 1 }] },
      { eventId: 'e', occurredAt: '2026-01-01T00:00:00+02:00' },
    );
    expect(event.occurredAt).toBe('2026-01-01T00:00:00+02:00');
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.lines[0])).toBe(true);
    expect(
      () => new OrderShipped({ orderId: 'o', lines: [] }, { occurredAt: 'yesterday' }),
    ).toThrow(/Invalid/);
  });

  it('rejects values that are not JSON, deep in nested fields, naming the path', () => {
    expect(fieldOf(() => new Loose({ value: new Date() }))).toBe('value');
    expect(fieldOf(() => new Loose({ value: { a: [1, { when: new Date() }] } }))).toBe(
      'value.a.1.when',
    );
    expect(fieldOf(() => new Loose({ value: [new Map()] }))).toBe('value.0');
    expect(fieldOf(() => new Loose({ value: { s: new Set([1]) } }))).toBe('value.s');
    expect(fieldOf(() => new Loose({ value: 10n }))).toBe('value');
    expect(fieldOf(() => new Loose({ value: { f: () => 1 } }))).toBe('value.f');
    expect(fieldOf(() => new Loose({ value: [Number.NaN] }))).toBe('value.0');
    expect(fieldOf(() => new Loose({ value: { n: Number.POSITIVE_INFINITY } }))).toBe('value.n');
    expect(fieldOf(() => new Loose({ value: new (class Money {})() }))).toBe('value');
    expect(
      fieldOf(() => new OrderShipped({ orderId: 'o', lines: [], meta: { at: new Date() } })),
    ).toBe('meta.at');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(fieldOf(() => new Loose({ value: cyclic }))).toBe('value.self');
    expect(() => new Loose({ value: { ok: [1, 'two', true, null, { deep: {} }] } })).not.toThrow();
  });

  it('round-trips through JSON and compares by value', () => {
    const event = new OrderShipped({
      orderId: 'o1',
      lines: [{ sku: 'a', qty: 2 }],
      meta: { carrier: 'dhl' },
    });
    const json = JSON.parse(JSON.stringify(event));
    expect(json).toEqual({
      type: 'sales.OrderShipped',
      eventId: event.eventId,
      occurredAt: event.occurredAt,
      payload: { orderId: 'o1', lines: [{ sku: 'a', qty: 2 }], meta: { carrier: 'dhl' } },
    });
    const back = OrderShipped.fromJSON(json);
    expect(back).toBeInstanceOf(OrderShipped);
    expect(back.equals(event)).toBe(true);
    expect(back.hashKey()).toBe(event.hashKey());
    expect(new OrderShipped({ orderId: 'o1', lines: [{ sku: 'a', qty: 2 }] }).equals(event)).toBe(
      false,
    );
    expect(() => OrderShipped.fromJSON({ ...json, type: 'x' })).toThrow(/expected type/);
    expect(OrderShipped.jsonSchema()).toMatchObject({ type: 'object' });
  });

  it('refuses reserved field names and blank type names', () => {
    expect(() => IntegrationEvent('X', { eventId: z.string() })).toThrow(/reserved/);
    expect(() => IntegrationEvent('', {})).toThrow(/type name/);
  });
});
