import {
  DuplicateTypeNameError,
  EventRegistry,
  GenericDomainEvent,
  MessageBus,
  UnknownTypeNameError,
} from '@pd/bus';
import { Command } from '@pd/cqrs';
import {
  DomainEvent,
  DomainEventBase,
  type DomainEventJSON,
  isPdError,
  type UpcastHook,
} from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OrderPlaced, PlaceOrder, recordingLogger } from '../testSupport/shop.js';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

const registry = () =>
  new EventRegistry({ logger: recordingLogger() })
    .registerEvent(OrderPlaced)
    .registerCommand(PlaceOrder);

describe('EventRegistry', () => {
  it('serializes an event to its JSON form and reads it back as an equal instance of its class', () => {
    const r = registry();
    const event = new OrderPlaced(
      { orderId: 'o-1', total: 5 },
      { correlationId: 'c', causationId: 'k' },
    );
    const json = r.serialize(event);
    expect(json).toMatchObject({
      type: 'OrderPlaced',
      schemaVersion: 1,
      payload: { orderId: 'o-1', total: 5 },
    });
    const back = r.deserialize(JSON.parse(JSON.stringify(json)));
    expect(back).toBeInstanceOf(OrderPlaced);
    expect(back.equals(event)).toBe(true);
  });

  it('keys classes by their explicit typeName, not the JavaScript class name', () => {
    const Minified = DomainEvent('Shop.ItemAdded', { sku: z.string() });
    const r = new EventRegistry().registerEvent(Minified);
    expect(r.eventTypes()).toEqual(['Shop.ItemAdded']);
    expect(r.deserialize(new Minified({ sku: 'x' }).toJSON())).toBeInstanceOf(Minified);
  });

  it('rejects a second class with a taken name (typed error); the same class again is a no-op', () => {
    const r = registry();
    class Impostor extends DomainEvent('OrderPlaced', { other: z.string() }) {}
    const error = caught(() => r.registerEvent(Impostor));
    expect(error).toBeInstanceOf(DuplicateTypeNameError);
    expect(isPdError(error, 'DUPLICATE_TYPE_NAME')).toBe(true);
    expect(error).toMatchObject({ typeName: 'OrderPlaced', kind: 'event' });
    expect(() => r.registerEvent(OrderPlaced)).not.toThrow();
    class OtherPlaceOrder extends Command()('PlaceOrder', {}) {}
    expect(() => r.registerCommand(OtherPlaceOrder)).toThrow(DuplicateTypeNameError);
  });

  it('validates the envelope and the payload, naming the field', () => {
    const r = registry();
    const good = new OrderPlaced({ orderId: 'o', total: 1 }).toJSON();
    const missingId = { ...good, eventId: undefined };
    expect(() => r.deserialize(missingId)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'eventId' }),
    );
    expect(() => r.deserialize('nope')).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    const badPayload = { ...good, payload: { orderId: 'o', total: 'x' } };
    expect(() => r.deserialize(badPayload)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'total' }),
    );
  });

  it('applies the upcast hook before rebuilding', () => {
    class PriceSet extends DomainEvent(
      'PriceSet',
      { cents: z.number().int() },
      { schemaVersion: 2 },
    ) {}
    const upcaster: UpcastHook = {
      upcast: (json: DomainEventJSON) =>
        json.type === 'PriceSet' && json.schemaVersion === 1
          ? {
              ...json,
              schemaVersion: 2,
              payload: { cents: Math.round((json.payload.euros as number) * 100) },
            }
          : json,
    };
    const r = new EventRegistry({ upcaster }).registerEvent(PriceSet);
    const old = {
      ...new PriceSet({ cents: 0 }).toJSON(),
      schemaVersion: 1,
      payload: { euros: 1.5 },
    };
    const event = r.deserialize(old) as PriceSet;
    expect(event).toBeInstanceOf(PriceSet);
    expect([event.cents, event.schemaVersion]).toEqual([150, 2]);
    // Without the hook, the old payload does not fit the current class: a validation error, not a wrong event.
    expect(() => new EventRegistry().registerEvent(PriceSet).deserialize(old)).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
  });

  it('§10.3 #15: reads an unknown type as a GenericDomainEvent that IS a domain event, and warns', () => {
    const logger = recordingLogger();
    const r = new EventRegistry({ logger });
    const json = {
      type: 'Billing.InvoiceSent',
      schemaVersion: 3,
      eventId: 'e-1',
      occurredAt: '2026-01-01T00:00:00.000Z',
      correlationId: 'c-1',
      causationId: null,
      payload: { invoice: { id: 7, lines: [1, 2] } },
    };
    const event = r.deserialize(json);
    expect(event).toBeInstanceOf(GenericDomainEvent);
    expect(event).toBeInstanceOf(DomainEventBase);
    expect(event.eventType).toBe('Billing.InvoiceSent');
    expect((event as GenericDomainEvent).data).toEqual({ invoice: { id: 7, lines: [1, 2] } });
    expect(Object.isFrozen((event as GenericDomainEvent).data.invoice)).toBe(true);
    // Nothing is lost: writing it back gives the same JSON.
    expect(r.serialize(event)).toEqual(json);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ type: 'Billing.InvoiceSent' }),
      }),
    ]);
  });

  it('a GenericDomainEvent keeps its type when stamped, and is delivered by type name', async () => {
    const generic = new GenericDomainEvent('Legacy', { a: 1 });
    const stamped = generic.stamp({ correlationId: 'c', causationId: 'k' });
    expect([stamped.eventType, stamped.eventId, stamped.correlationId, stamped.data]).toEqual([
      'Legacy',
      generic.eventId,
      'c',
      { a: 1 },
    ]);
    const bus = new MessageBus({ errorPolicy: 'collect' });
    const got: string[] = [];
    bus.onType('Legacy', (e) => void got.push(e.eventId));
    await bus.publish(generic);
    expect(got).toEqual([generic.eventId]);
  });

  it('rebuilds registered commands and refuses unknown ones with a typed error', () => {
    const r = registry();
    const cmd = new PlaceOrder({ orderId: 'o', total: 2 }, { correlationId: 'c' });
    const back = r.deserializeCommand(JSON.parse(JSON.stringify(r.serializeCommand(cmd))));
    expect(back).toBeInstanceOf(PlaceOrder);
    expect(back.equals(cmd)).toBe(true);
    const error = caught(() => r.deserializeCommand({ type: 'Nope', payload: {} }));
    expect(error).toBeInstanceOf(UnknownTypeNameError);
    expect(isPdError(error, 'UNKNOWN_TYPE_NAME')).toBe(true);
  });

  it('catalog(): the JSON Schema of every registered event and command, sorted by type name', () => {
    class Archived extends DomainEvent('Archived', { at: z.string() }, { schemaVersion: 4 }) {}
    const catalog = registry().registerEvent(Archived).catalog();
    expect(catalog.events.map((e) => [e.typeName, e.schemaVersion])).toEqual([
      ['Archived', 4],
      ['OrderPlaced', 1],
    ]);
    expect(catalog.events[1]?.schema).toMatchObject({
      type: 'object',
      properties: { orderId: { type: 'string' }, total: { type: 'integer' } },
      required: ['orderId', 'total'],
    });
    expect(catalog.commands).toEqual([
      {
        typeName: 'PlaceOrder',
        schema: expect.objectContaining({ required: ['orderId', 'total'] }),
      },
    ]);
    expect(() => JSON.stringify(catalog)).not.toThrow();
  });

  it('rejects things that are not message classes', () => {
    const r = new EventRegistry();
    expect(() => r.registerEvent({} as unknown as typeof OrderPlaced)).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
  });
});
