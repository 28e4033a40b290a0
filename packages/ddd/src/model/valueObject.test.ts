import { DomainError, isPdError, ValidationError, ValueObject } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class CurrencyMismatch extends DomainError<'CURRENCY_MISMATCH'> {
  constructor(
    readonly left: string,
    readonly right: string,
  ) {
    super(`cannot combine ${left} with ${right}`, { code: 'CURRENCY_MISMATCH' });
  }
}

class Money extends ValueObject('Money', {
  amount: z.number().int(),
  currency: z.string().length(3),
}) {
  add(other: Money): Money {
    if (other.currency !== this.currency) throw new CurrencyMismatch(this.currency, other.currency);
    return this.with({ amount: this.amount + other.amount });
  }
}

class Tagged extends ValueObject('Tagged', {
  tags: z.array(z.string()),
  meta: z.object({ source: z.string(), weights: z.array(z.number()) }),
}) {}

class Line extends ValueObject('Line', { sku: z.string(), price: Money.schema() }) {}

class Invoice extends ValueObject('Invoice', {
  number: z.string(),
  issuedAt: z.coerce.date(),
  total: Money.schema(),
  lines: z.array(Line.schema()),
  note: z.string().optional(),
}) {}

const eur = (amount: number) => new Money({ amount, currency: 'EUR' });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('ValueObject: immutability', () => {
  it('is frozen: assigning a field throws and changes nothing', () => {
    const money = eur(5);
    expect(Object.isFrozen(money)).toBe(true);
    expect(() => {
      (money as { amount: number }).amount = 6;
    }).toThrow(TypeError);
    expect(money.amount).toBe(5);
  });

  it('cannot gain or lose properties', () => {
    const money = eur(5);
    expect(() => Object.defineProperty(money, 'extra', { value: 1 })).toThrow(TypeError);
    expect(() => {
      delete (money as { currency?: string }).currency;
    }).toThrow(TypeError);
  });

  it('freezes nested arrays and objects too', () => {
    const tagged = new Tagged({ tags: ['a'], meta: { source: 'x', weights: [1] } });
    expect(() => (tagged.tags as string[]).push('b')).toThrow(TypeError);
    expect(() => {
      (tagged.meta as { source: string }).source = 'y';
    }).toThrow(TypeError);
    expect(() => (tagged.meta.weights as number[]).push(2)).toThrow(TypeError);
    expect(tagged.toJSON()).toEqual({ tags: ['a'], meta: { source: 'x', weights: [1] } });
  });

  it('does not share mutable input with the caller', () => {
    const tags = ['a'];
    const tagged = new Tagged({ tags, meta: { source: 'x', weights: [] } });
    tags.push('b');
    expect(tagged.tags).toEqual(['a']);
  });
});

describe('ValueObject: equality and hashing', () => {
  it('is equal when type and every value are equal', () => {
    expect(eur(5).equals(eur(5))).toBe(true);
    expect(eur(5).equals(eur(6))).toBe(false);
    expect(eur(5).equals(new Money({ amount: 5, currency: 'USD' }))).toBe(false);
  });

  it('compares nested values, arrays and dates by value', () => {
    const make = () =>
      new Invoice({
        number: 'F-1',
        issuedAt: '2026-01-01T00:00:00Z',
        total: { amount: 5, currency: 'EUR' },
        lines: [{ sku: 'A', price: eur(5) }],
      });
    expect(make().equals(make())).toBe(true);
    expect(make().equals(make().with({ lines: [] }))).toBe(false);
    expect(make().equals(make().with({ issuedAt: new Date('2026-01-02T00:00:00Z') }))).toBe(false);
  });

  it('is never equal to another type with the same fields', () => {
    class Amount extends ValueObject('Amount', {
      amount: z.number().int(),
      currency: z.string().length(3),
    }) {}
    const amount = new Amount({ amount: 5, currency: 'EUR' });
    expect(amount.equals(eur(5))).toBe(false);
    expect(eur(5).equals(amount)).toBe(false);
    expect(amount.hashKey()).not.toBe(eur(5).hashKey());
  });

  it('is never equal to plain objects, null or undefined', () => {
    expect(eur(5).equals({ amount: 5, currency: 'EUR' })).toBe(false);
    expect(eur(5).equals(null)).toBe(false);
    expect(eur(5).equals(undefined)).toBe(false);
  });

  it('gives equal values equal hash keys, so they deduplicate in a Map', () => {
    expect(eur(5).hashKey()).toBe(eur(5).hashKey());
    expect(eur(5).hashKey()).not.toBe(eur(6).hashKey());
    const byKey = new Map([eur(5), eur(5), eur(6)].map((m) => [m.hashKey(), m]));
    expect(byKey.size).toBe(2);
  });
});

describe('ValueObject: with', () => {
  it('returns a new instance of the subclass, with its methods, and leaves the original alone', () => {
    const five = eur(5);
    const seven = five.with({ amount: 7 });
    expect(seven).toBeInstanceOf(Money);
    expect(seven.amount).toBe(7);
    expect(seven.currency).toBe('EUR');
    expect(five.amount).toBe(5);
    expect(seven.add(eur(1)).amount).toBe(8);
    expect(Object.isFrozen(seven)).toBe(true);
  });

  it('validates the copy like a new instance', () => {
    const error = thrown(() => eur(5).with({ amount: 1.5 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('amount');
  });

  it('runs the subclass constructor, so subclass invariants hold for copies', () => {
    const RangeBase = ValueObject('Range', { low: z.number(), high: z.number() });
    class Range extends RangeBase {
      constructor(input: ConstructorParameters<typeof RangeBase>[0]) {
        super(input);
        if (this.high < this.low) throw new DomainError('low must not exceed high');
      }
    }
    const range = new Range({ low: 1, high: 2 });
    expect(() => range.with({ low: 3 })).toThrow('low must not exceed high');
    expect(() => new Range({ low: 3, high: 2 })).toThrow(DomainError);
  });
});

describe('ValueObject: JSON', () => {
  const invoice = new Invoice({
    number: 'F-1',
    issuedAt: new Date('2026-01-01T10:00:00.123Z'),
    total: eur(10),
    lines: [
      { sku: 'A', price: eur(4) },
      { sku: 'B', price: { amount: 6, currency: 'EUR' } },
    ],
  });

  it('serialises dates as ISO strings and nested value objects as their JSON', () => {
    expect(JSON.parse(JSON.stringify(invoice))).toEqual({
      number: 'F-1',
      issuedAt: '2026-01-01T10:00:00.123Z',
      total: { amount: 10, currency: 'EUR' },
      lines: [
        { sku: 'A', price: { amount: 4, currency: 'EUR' } },
        { sku: 'B', price: { amount: 6, currency: 'EUR' } },
      ],
    });
  });

  it('round-trips through JSON to an equal value with real nested instances and dates', () => {
    const back = Invoice.fromJSON(JSON.parse(JSON.stringify(invoice)));
    expect(back).toBeInstanceOf(Invoice);
    expect(back.equals(invoice)).toBe(true);
    expect(back.total).toBeInstanceOf(Money);
    expect(back.lines[1]?.price).toBeInstanceOf(Money);
    expect(back.lines[0]).toBeInstanceOf(Line);
    expect(back.issuedAt).toBeInstanceOf(Date);
    expect(back.total.add(eur(1)).amount).toBe(11);
  });

  it('turns plain nested input into instances at construction', () => {
    expect(invoice.lines[1]?.price).toBeInstanceOf(Money);
    expect(invoice.lines[1]?.price.equals(eur(6))).toBe(true);
  });

  it('leaves absent optional fields out of the JSON', () => {
    expect(Object.keys(invoice.toJSON())).not.toContain('note');
  });

  it('rejects invalid JSON with a ValidationError naming the field', () => {
    const error = thrown(() => Money.fromJSON({ amount: '5', currency: 'EUR' }));
    expect(isPdError(error, 'VALIDATION')).toBe(true);
    expect((error as ValidationError).field).toBe('amount');
  });

  it('exports the JSON Schema of its input', () => {
    const schema = Money.jsonSchema();
    expect(schema).toMatchObject({
      type: 'object',
      properties: { amount: { type: 'integer' }, currency: { type: 'string' } },
      required: ['amount', 'currency'],
    });
  });
});

describe('ValueObject: validation', () => {
  it('rejects a wrong field with a ValidationError naming the field', () => {
    const error = thrown(() => new Money({ amount: 5, currency: 'EURO' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('currency');
    expect((error as ValidationError).typeName).toBe('Money');
  });

  it('rejects missing fields and non-object input', () => {
    const missing: unknown = { amount: 5 };
    expect((thrown(() => new Money(missing as never)) as ValidationError).field).toBe('currency');
    expect(thrown(() => new Money(null as never))).toBeInstanceOf(ValidationError);
  });

  it('ignores unknown extra keys', () => {
    const input = { amount: 5, currency: 'EUR', colour: 'red' };
    const money = new Money(input);
    expect(Object.keys(money)).toEqual(['amount', 'currency']);
    expect(money.toJSON()).toEqual({ amount: 5, currency: 'EUR' });
    expect(money.equals(eur(5))).toBe(true);
  });
});

describe('ValueObject: behaviour in subclasses (closure of operations)', () => {
  it('returns new values from operations', () => {
    const a = eur(5);
    const sum = a.add(eur(7));
    expect(sum.equals(eur(12))).toBe(true);
    expect(a.amount).toBe(5);
  });

  it('raises a domain error for a currency mismatch', () => {
    const error = thrown(() => eur(5).add(new Money({ amount: 1, currency: 'USD' })));
    expect(error).toBeInstanceOf(CurrencyMismatch);
    expect(isPdError(error, 'CURRENCY_MISMATCH')).toBe(true);
  });

  it('keeps subclass instances frozen', () => {
    expect(Object.isFrozen(eur(1).add(eur(1)))).toBe(true);
  });
});

describe('ValueObject: definition', () => {
  it('exposes its type name, shape and props schema', () => {
    expect(Money.typeName).toBe('Money');
    expect(Object.keys(Money.shape)).toEqual(['amount', 'currency']);
    expect(Money.propsSchema.safeParse({ amount: 1, currency: 'EUR' }).success).toBe(true);
  });

  it.each(['', '  ', ' Money', 'Money '])('rejects the invalid type name %j', (name) => {
    const error = thrown(() => ValueObject(name, { x: z.number() }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('typeName');
  });

  it.each(['equals', 'hashKey', 'with', 'toJSON'])('rejects the reserved field name %s', (name) => {
    const error = thrown(() => ValueObject('Bad', { [name]: z.string() }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(name);
  });
});
