import { Command, Query } from '@pd/cqrs';
import { isPdError, ValidationError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class PlaceOrder extends Command<{ orderId: string }>()('PlaceOrder', {
  customerId: z.string(),
  lines: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
}) {}

class GetOrder extends Query<{ id: string } | undefined>()('GetOrder', { orderId: z.string() }) {}

const counter = (prefix: string) => {
  let n = 0;
  return { generate: () => `${prefix}-${++n}` };
};

describe('Command', () => {
  it('is frozen, deep down', () => {
    const cmd = new PlaceOrder({ customerId: 'c1', lines: [{ sku: 'a', qty: 1 }] });
    expect(Object.isFrozen(cmd)).toBe(true);
    expect(() => {
      (cmd as { customerId: string }).customerId = 'x';
    }).toThrow(TypeError);
    expect(() => {
      (cmd.lines as { sku: string }[]).push({ sku: 'b' });
    }).toThrow(TypeError);
  });

  it('rejects unknown fields and wrong types with a ValidationError naming the field', () => {
    expect(() => new PlaceOrder({ customerId: 'c1', lines: [], extra: 1 } as never)).toThrow(
      ValidationError,
    );
    try {
      new PlaceOrder({ customerId: 'c1', lines: [], extra: 1, more: 2 } as never);
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).issues.map((i) => [i.field, i.message])).toEqual([
        ['extra', 'unknown field "extra"'],
        ['more', 'unknown field "more"'],
      ]);
    }
    try {
      new PlaceOrder({ customerId: 'c1', lines: [{ sku: 'a', qty: 1.5 }] });
      expect.unreachable();
    } catch (e) {
      expect(isPdError(e, 'VALIDATION')).toBe(true);
      expect((e as ValidationError).field).toBe('lines.0.qty');
    }
  });

  it('mints ids from the injectable generator and keeps explicit ones', () => {
    class Ping extends Command()('Ping', {}, { idGenerator: counter('ping') }) {}
    expect(new Ping({}).commandId).toBe('ping-1');
    Ping.idGenerator = counter('other');
    expect(new Ping({}).commandId).toBe('other-1');
    expect(new Ping({}, { commandId: 'given' }).commandId).toBe('given');
    expect(new PlaceOrder({ customerId: 'c', lines: [] }).commandId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('carries correlation and causation ids, null by default; withTracing keeps id and payload', () => {
    const cmd = new PlaceOrder({ customerId: 'c1', lines: [] });
    expect([cmd.correlationId, cmd.causationId]).toEqual([null, null]);
    const traced = cmd.withTracing({ correlationId: 'corr', causationId: 'cause' });
    expect(traced).toBeInstanceOf(PlaceOrder);
    expect(traced.commandId).toBe(cmd.commandId);
    expect(traced.customerId).toBe('c1');
    expect([traced.correlationId, traced.causationId]).toEqual(['corr', 'cause']);
    expect(cmd.correlationId).toBeNull();
    expect(traced.withTracing({ causationId: null }).correlationId).toBe('corr');
  });

  it('round-trips through JSON and compares by value', () => {
    const cmd = new PlaceOrder(
      { customerId: 'c1', lines: [{ sku: 'a', qty: 2 }] },
      { correlationId: 'k' },
    );
    const json = JSON.parse(JSON.stringify(cmd));
    expect(json).toEqual({
      type: 'PlaceOrder',
      commandId: cmd.commandId,
      correlationId: 'k',
      causationId: null,
      payload: { customerId: 'c1', lines: [{ sku: 'a', qty: 2 }] },
    });
    const back = PlaceOrder.fromJSON(json);
    expect(back).toBeInstanceOf(PlaceOrder);
    expect(back.equals(cmd)).toBe(true);
    expect(back.hashKey()).toBe(cmd.hashKey());
    expect(new PlaceOrder({ customerId: 'c1', lines: [{ sku: 'a', qty: 2 }] }).equals(cmd)).toBe(
      false,
    );
    expect(() => PlaceOrder.fromJSON({ ...json, type: 'Other' })).toThrow(
      /expected type PlaceOrder/,
    );
    expect(() => PlaceOrder.fromJSON({ ...json, payload: { customerId: 1 } })).toThrow(
      ValidationError,
    );
  });

  it('publishes a JSON Schema of its payload and refuses reserved field names', () => {
    const schema = PlaceOrder.jsonSchema();
    expect(schema).toMatchObject({
      type: 'object',
      required: ['customerId', 'lines'],
      additionalProperties: false,
    });
    expect(() => Command()('Bad', { commandId: z.string() })).toThrow(/reserved/);
    expect(() => Command()(' ', {})).toThrow(ValidationError);
  });
});

describe('Query', () => {
  it('is frozen, rejects unknown fields, mints queryId from its generator', () => {
    class Find extends Query<number>()('Find', { q: z.string() }, { idGenerator: counter('q') }) {}
    const query = new Find({ q: 'x' });
    expect(query.queryId).toBe('q-1');
    expect(query.queryType).toBe('Find');
    expect(Object.isFrozen(query)).toBe(true);
    expect(() => new Find({ q: 'x', other: 1 } as never)).toThrow(ValidationError);
  });

  it('round-trips through JSON and compares by value', () => {
    const query = new GetOrder({ orderId: 'o1' });
    const back = GetOrder.fromJSON(JSON.parse(JSON.stringify(query)));
    expect(back.equals(query)).toBe(true);
    expect(back.toJSON()).toEqual({
      type: 'GetOrder',
      queryId: query.queryId,
      payload: { orderId: 'o1' },
    });
    expect(GetOrder.jsonSchema()).toMatchObject({ required: ['orderId'] });
  });
});
