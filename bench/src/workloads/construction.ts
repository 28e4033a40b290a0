// Workload 2: construction of a validated value object and of a domain event.
import { expectEqual, sized } from '../harness/measure.js';
import type { BenchCase, CaseContext, Runner } from '../harness/types.js';
import { Money, MoneyDeposited } from './domain.js';

const count = (context: CaseContext, variant: 'pd' | 'baseline'): number =>
  sized(
    context,
    variant === 'pd'
      ? { full: 100_000, quick: 10_000, smoke: 50 }
      : { full: 5_000_000, quick: 100_000, smoke: 50 },
  );

/**
 * A loop that builds `n` objects with `make(i)` and keeps each in a 1024-slot ring, so neither
 * side's allocation can be optimised away; `verify` reads one back.
 */
function constructionRunner(n: number, make: (i: number) => { readonly amount: number }): Runner {
  const ring: { readonly amount: number }[] = new Array(1024);
  return {
    units: n,
    run() {
      for (let i = 0; i < n; i++) ring[i & 1023] = make(i);
      return undefined;
    },
    verify() {
      expectEqual(ring[(n - 1) & 1023]?.amount, ((n - 1) % 1000) + 1, 'last object amount');
    },
  };
}

export const constructionCases: readonly BenchCase[] = [
  {
    id: '2a-value-object',
    workload: 2,
    title: 'Value object construction (zod-validated)',
    unit: 'objects',
    postgres: false,
    note: "new Money({ amount, currency: 'EUR' }) vs the object literal { amount, currency }",
    pd: async (context) =>
      constructionRunner(
        count(context, 'pd'),
        (i) => new Money({ amount: (i % 1000) + 1, currency: 'EUR' }),
      ),
    baseline: async (context) =>
      constructionRunner(count(context, 'baseline'), (i) => ({
        amount: (i % 1000) + 1,
        currency: 'EUR',
      })),
  },
  {
    id: '2b-domain-event',
    workload: 2,
    title: 'Domain event construction (zod-validated, UUIDv7 id, timestamp)',
    unit: 'events',
    postgres: false,
    note: "new MoneyDeposited({ accountId, amount }) vs { type: 'MoneyDeposited', accountId, amount }",
    pd: async (context) =>
      constructionRunner(
        count(context, 'pd'),
        (i) => new MoneyDeposited({ accountId: 'acc-1', amount: (i % 1000) + 1 }),
      ),
    baseline: async (context) =>
      constructionRunner(count(context, 'baseline'), (i) => ({
        type: 'MoneyDeposited',
        accountId: 'acc-1',
        amount: (i % 1000) + 1,
      })),
  },
];
