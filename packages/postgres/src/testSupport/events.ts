// Domain events used by this package's tests.
import { DomainEvent } from '@pd/ddd';
import { z } from 'zod';

export class Deposited extends DomainEvent('Deposited', {
  amount: z.number(),
  note: z.string().optional(),
}) {}
export class Withdrawn extends DomainEvent('Withdrawn', { amount: z.number() }) {}
export class Anything extends DomainEvent('Anything', { data: z.unknown() }) {}

export const deposit = (amount: number): Deposited => new Deposited({ amount });
export const deposits = (count: number, start = 1): Deposited[] =>
  Array.from({ length: count }, (_, i) => new Deposited({ amount: start + i }));
