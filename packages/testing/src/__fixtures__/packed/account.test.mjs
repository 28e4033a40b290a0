// A given/when/then aggregate specification under node:test, from the published packages.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DomainError, DomainEvent } from '@pd/ddd';
import { EventSourcedAggregateRoot } from '@pd/eventsourcing';
import { aggregateSpec } from '@pd/testing';
import { z } from 'zod';

class Opened extends DomainEvent('Opened', { owner: z.string() }) {}
class Deposited extends DomainEvent('Deposited', { amount: z.number().int().positive() }) {}
class Withdrawn extends DomainEvent('Withdrawn', { amount: z.number().int().positive() }) {}

class Account extends EventSourcedAggregateRoot(
  'Account',
  { owner: z.string().default(''), balance: z.number().int().default(0) },
  {
    events: [Opened, Deposited, Withdrawn],
    apply: {
      Opened: (_s, e) => ({ owner: e.owner }),
      Deposited: (s, e) => ({ balance: s.balance + e.amount }),
      Withdrawn: (s, e) => ({ balance: s.balance - e.amount }),
    },
  },
) {
  withdraw(amount) {
    if (amount > this.balance)
      throw new DomainError('insufficient funds', { code: 'INSUFFICIENT_FUNDS' });
    this.record(new Withdrawn({ amount }));
  }
}

const history = [new Opened({ owner: 'ann' }), new Deposited({ amount: 10 })];

it('withdrawing records Withdrawn and lowers the balance', async () => {
  const spec = aggregateSpec(Account)
    .given(history)
    .when((a) => a.withdraw(4));
  await spec.thenEvents([new Withdrawn({ amount: 4 })]);
  await spec.thenState({ owner: 'ann', balance: 6 });
});

it('overdrawing is refused', async () => {
  await aggregateSpec(Account)
    .given(history)
    .when((a) => a.withdraw(11))
    .thenThrows('INSUFFICIENT_FUNDS');
});

it('a wrong expectation fails with an AssertionError', async () => {
  await assert.rejects(
    aggregateSpec(Account)
      .given(history)
      .when((a) => a.withdraw(4))
      .thenEvents([new Withdrawn({ amount: 5 })]),
    (error) =>
      error instanceof assert.AssertionError && error.message.includes('has another payload'),
  );
});
