import { isPdError, ValidationError, ValueObject } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class Money extends ValueObject('Money', {
  amount: z.number().int(),
  currency: z.string().length(3),
}) {}

class Invoice extends ValueObject('Invoice', {
  number: z.string().min(1),
  total: Money.schema(),
}) {}

function validationErrorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('ValidationError', () => {
  it('names the offending field, the type and the rule', () => {
    const error = validationErrorOf(() => new Money({ amount: 1.5, currency: 'EUR' }));
    expect(error.field).toBe('amount');
    expect(error.typeName).toBe('Money');
    expect(error.message).toMatch(/^Invalid Money: amount: /);
    expect(error.issues[0]).toMatchObject({ field: 'amount' });
    expect(isPdError(error, 'VALIDATION')).toBe(true);
  });

  it('lists every failed field, not only the first', () => {
    const error = validationErrorOf(() => new Money({ amount: 1.5, currency: 'EURO' }));
    expect(error.issues.map((issue) => issue.field).sort()).toEqual(['amount', 'currency']);
  });

  it('gives nested fields a dotted path', () => {
    const error = validationErrorOf(
      () => new Invoice({ number: 'F-1', total: { amount: 1, currency: 'toolong' } }),
    );
    expect(error.field).toBe('total.currency');
  });

  it('keeps the zod error as cause', () => {
    const error = validationErrorOf(() => new Money({ amount: 1.5, currency: 'EUR' }));
    expect(error.cause).toBeInstanceOf(z.ZodError);
  });

  it('builds a single-field error with `of`', () => {
    const error = ValidationError.of('Order', 'lines', 'needs at least one line');
    expect(error.field).toBe('lines');
    expect(error.message).toBe('Invalid Order: lines: needs at least one line');
    expect(error.issues).toEqual([
      { field: 'lines', message: 'needs at least one line', code: 'custom' },
    ]);
  });

  it('reads well for object-level errors without a field', () => {
    const error = ValidationError.of('Order', '', 'expected an object');
    expect(error.field).toBe('');
    expect(error.message).toBe('Invalid Order: expected an object');
  });
});
