import { DomainEvent, type DomainEventJSON, ValidationError } from '@pd/ddd';
import { EventSerializer, EventTypeMap, UnknownEventTypeError } from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class PriceSet extends DomainEvent('PriceSet', { cents: z.number().int() }, { schemaVersion: 2 }) {}
class Renamed extends DomainEvent('Renamed', { name: z.string() }) {}

// v1 stored { euros } ; v2 stores { cents }.
const upcaster = {
  upcast(json: DomainEventJSON): DomainEventJSON {
    if (json.type === 'PriceSet' && json.schemaVersion === 1) {
      return { ...json, schemaVersion: 2, payload: { cents: Number(json.payload.euros) * 100 } };
    }
    if (json.type === 'NameChanged') return { ...json, type: 'Renamed' };
    return json;
  },
};

function stored(
  type: string,
  schemaVersion: number,
  payload: Record<string, unknown>,
): DomainEventJSON {
  return {
    type,
    schemaVersion,
    eventId: 'e-1',
    occurredAt: '2026-01-01T00:00:00.000Z',
    correlationId: 'corr',
    causationId: null,
    payload,
  };
}

describe('EventTypeMap', () => {
  it('maps type names to classes and lists them', () => {
    const types = EventTypeMap.of(PriceSet, Renamed);
    expect(types.get('PriceSet')).toBe(PriceSet);
    expect(types.has('Nope')).toBe(false);
    expect(types.typeNames).toEqual(['PriceSet', 'Renamed']);
  });
  it('rejects two classes with one type name', () => {
    const Twin = DomainEvent('Renamed', {});
    expect(() => EventTypeMap.of(Renamed, Twin)).toThrow(ValidationError);
  });
});

describe('EventSerializer', () => {
  const serializer = new EventSerializer([PriceSet, Renamed], { upcaster, reader: 'Shop' });

  it('round-trips an event with its metadata', () => {
    const event = new Renamed({ name: 'a' }, { correlationId: 'c' });
    const back = serializer.deserialize(serializer.serialize(event));
    expect(back).toBeInstanceOf(Renamed);
    expect(back.equals(event)).toBe(true);
  });

  it('upcasts before validating, so readers see the current version', () => {
    const event = serializer.deserialize(stored('PriceSet', 1, { euros: 3 }));
    expect(event).toBeInstanceOf(PriceSet);
    expect(event).toMatchObject({
      cents: 300,
      schemaVersion: 2,
      eventId: 'e-1',
      correlationId: 'corr',
    });
    expect(serializer.deserialize(stored('NameChanged', 1, { name: 'x' }))).toBeInstanceOf(Renamed);
  });

  it('throws UnknownEventTypeError for an unregistered type, ValidationError for a bad payload', () => {
    expect(() => serializer.deserialize(stored('Mystery', 1, {}))).toThrow(UnknownEventTypeError);
    expect(() => serializer.deserialize(stored('Mystery', 1, {}))).toThrow(/Mystery.*Shop/);
    expect(() => serializer.deserialize(stored('PriceSet', 2, { cents: 'x' }))).toThrow(
      ValidationError,
    );
    expect(serializer.tryDeserialize(stored('Mystery', 1, {}))).toBeUndefined();
  });
});
