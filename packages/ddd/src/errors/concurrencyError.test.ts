import { ConcurrencyError, IdGenerationError, isPdError, SpecificationError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';

describe('ConcurrencyError', () => {
  it('carries the stream and both versions so a caller can decide to retry', () => {
    const error = new ConcurrencyError('order-1', 3, 5);
    expect(error.stream).toBe('order-1');
    expect(error.expectedVersion).toBe(3);
    expect(error.actualVersion).toBe(5);
    expect(error.code).toBe('CONCURRENCY');
  });

  it('says what was expected and what was found', () => {
    const error = new ConcurrencyError('order-1', 3, 5);
    expect(error.message).toContain('order-1');
    expect(error.message).toContain('expected 3, found 5');
  });

  it('accepts symbolic versions such as "no_stream"', () => {
    const error = new ConcurrencyError('order-1', 'no_stream', 2);
    expect(error.expectedVersion).toBe('no_stream');
    expect(error.message).toContain('expected no_stream, found 2');
  });

  it('takes a custom message and a cause', () => {
    const cause = new Error('unique violation');
    const error = new ConcurrencyError('s', 1, 2, { message: 'lost the race', cause });
    expect(error.message).toBe('lost the race');
    expect(error.cause).toBe(cause);
    expect(error.expectedVersion).toBe(1);
  });
});

describe('SpecificationError and IdGenerationError', () => {
  it('have their own codes', () => {
    expect(isPdError(new SpecificationError('x'), 'SPECIFICATION')).toBe(true);
    expect(isPdError(new IdGenerationError('x'), 'ID_GENERATION')).toBe(true);
  });
});
