import {
  ConcurrencyError,
  DomainError,
  IdGenerationError,
  isPdError,
  PdError,
  SpecificationError,
  ValidationError,
} from '@pd/ddd';
import { describe, expect, it } from 'vitest';

class OrderNotPending extends DomainError<'ORDER_NOT_PENDING'> {
  constructor(readonly orderId: string) {
    super(`order ${orderId} is not pending`, { code: 'ORDER_NOT_PENDING' });
  }
}

describe('the error family', () => {
  const members = [
    ['DomainError', new DomainError('rule broken'), 'DOMAIN'],
    ['ConcurrencyError', new ConcurrencyError('order-1', 1, 2), 'CONCURRENCY'],
    ['SpecificationError', new SpecificationError('cannot combine'), 'SPECIFICATION'],
    ['IdGenerationError', new IdGenerationError('bad id'), 'ID_GENERATION'],
    ['user subclass', new OrderNotPending('o-1'), 'ORDER_NOT_PENDING'],
  ] as const;

  it.each(members)(
    '%s is a DomainError, a PdError and an Error with its stable code',
    (_, error, code) => {
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(PdError);
      expect(error).toBeInstanceOf(DomainError);
      expect(error.code).toBe(code);
      expect(isPdError(error)).toBe(true);
      expect(isPdError(error, code)).toBe(true);
    },
  );

  it('names each error after its class, so logs and stack traces say what happened', () => {
    expect(new DomainError('x').name).toBe('DomainError');
    expect(new ConcurrencyError('s', 0, 1).name).toBe('ConcurrencyError');
    expect(new OrderNotPending('o-1').name).toBe('OrderNotPending');
    expect(String(new OrderNotPending('o-1'))).toBe('OrderNotPending: order o-1 is not pending');
  });

  it('makes a ValidationError a PdError but not a DomainError (bad input is not a broken rule)', () => {
    const error = ValidationError.of('Money', 'amount', 'must be an integer');
    expect(error).toBeInstanceOf(PdError);
    expect(error).not.toBeInstanceOf(DomainError);
    expect(error.code).toBe('VALIDATION');
  });

  it('keeps siblings apart: a ConcurrencyError is not a SpecificationError', () => {
    const error: unknown = new ConcurrencyError('order-1', 1, 2);
    expect(error).not.toBeInstanceOf(SpecificationError);
    expect(isPdError(error, 'SPECIFICATION')).toBe(false);
  });

  it('lets callers catch every domain error through the base class', () => {
    const caught = (() => {
      try {
        throw new OrderNotPending('o-7');
      } catch (error) {
        if (error instanceof DomainError) return error;
        throw error;
      }
    })();
    expect(caught).toBeInstanceOf(OrderNotPending);
    expect((caught as OrderNotPending).orderId).toBe('o-7');
  });

  it('keeps the ES2022 cause', () => {
    const root = new Error('socket closed');
    expect(new DomainError('wrapped', { cause: root }).cause).toBe(root);
    expect(new ConcurrencyError('s', 1, 2, { cause: root }).cause).toBe(root);
    expect(new SpecificationError('x', { cause: root }).cause).toBe(root);
    expect(new PdError('CUSTOM', 'x', { cause: root }).cause).toBe(root);
  });

  it('leaves cause unset when none is given (no own "cause" property)', () => {
    expect(Object.hasOwn(new DomainError('x'), 'cause')).toBe(false);
  });
});

describe('isPdError', () => {
  it('checks the code when one is given', () => {
    const error: unknown = new ConcurrencyError('order-1', 1, 2);
    expect(isPdError(error, 'CONCURRENCY')).toBe(true);
    expect(isPdError(error, 'VALIDATION')).toBe(false);
  });

  it('narrows the type so the code and message can be read', () => {
    const error: unknown = new DomainError('boom');
    if (!isPdError(error, 'DOMAIN')) throw new Error('expected a pd error');
    const code: 'DOMAIN' = error.code;
    expect(code).toBe('DOMAIN');
    expect(error.message).toBe('boom');
  });

  it('recognises an error from another copy of the package (same symbol, not instanceof)', () => {
    // A second installed copy of @pd/ddd has its own PdError class but marks errors with the same
    // registered symbol.
    class ForeignPdError extends Error {
      readonly code = 'CONCURRENCY';
      constructor() {
        super('from the other copy');
        Object.defineProperty(this, Symbol.for('@pd/error'), { value: true });
      }
    }
    const foreign: unknown = new ForeignPdError();
    expect(foreign).not.toBeInstanceOf(PdError);
    expect(isPdError(foreign)).toBe(true);
    expect(isPdError(foreign, 'CONCURRENCY')).toBe(true);
    expect(isPdError(foreign, 'DOMAIN')).toBe(false);
  });

  it('rejects look-alikes without the marker, and non-objects', () => {
    const lookAlike = Object.assign(new Error('not ours'), { code: 'CONCURRENCY' });
    expect(isPdError(lookAlike)).toBe(false);
    expect(isPdError(lookAlike, 'CONCURRENCY')).toBe(false);
    expect(isPdError({ code: 'DOMAIN' })).toBe(false);
    expect(isPdError(null)).toBe(false);
    expect(isPdError(undefined)).toBe(false);
    expect(isPdError('CONCURRENCY')).toBe(false);
    expect(isPdError(42)).toBe(false);
  });

  it('does not expose the marker as an enumerable property (clean logs and JSON)', () => {
    const error = new DomainError('x');
    expect(
      Object.getOwnPropertySymbols(error).every(
        (s) => !Object.getOwnPropertyDescriptor(error, s)?.enumerable,
      ),
    ).toBe(true);
    expect(Object.keys(error)).not.toContain('Symbol(@pd/error)');
  });
});
