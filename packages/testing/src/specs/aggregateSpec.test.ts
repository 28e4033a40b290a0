import { AssertionError } from 'node:assert';
import { aggregateSpec } from '@pd/testing';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_ID,
  Account,
  AccountOpened,
  InsufficientFunds,
  ItemAdded,
  MoneyDeposited,
  MoneyWithdrawn,
  TodoList,
} from '../__fixtures__/bank.js';

const opened = new AccountOpened({ owner: 'ann', currency: 'EUR' });
const funded = [opened, new MoneyDeposited({ amount: 10 })];

async function assertionFrom(promise: Promise<unknown>): Promise<AssertionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AssertionError);
  return error as AssertionError;
}

describe('aggregateSpec: passing specifications', () => {
  it('replays the given history, runs when, and compares recorded events by type and payload', async () => {
    const account = await aggregateSpec(Account, { id: ACCOUNT_ID })
      .given(funded)
      .when((a) => a.withdraw(4))
      .thenEvents([new MoneyWithdrawn({ amount: 4 })]);
    expect(account.id).toBe(ACCOUNT_ID);
    expect(account.version).toBe(3);
  });

  it('accepts { type, payload } expectations and asserts state with plain JSON for value objects', async () => {
    const spec = aggregateSpec(Account)
      .given(funded)
      .when((a) => {
        a.withdraw(3);
        a.deposit(1);
      });
    await spec.thenEvents([
      { type: 'MoneyWithdrawn', payload: { amount: 3 } },
      { type: 'MoneyDeposited', payload: { amount: 1 } },
    ]);
    await spec.thenState({ owner: 'ann', balance: { amount: 8, currency: 'EUR' } });
    await spec.thenState((a) => a.balance?.amount === 8);
  });

  it('uses the aggregate a factory returns from when', async () => {
    await aggregateSpec(Account)
      .when(() => Account.open('bob'))
      .thenEvents([new AccountOpened({ owner: 'bob', currency: 'EUR' })]);
  });

  it('matches thrown errors by code (through causes), by class, or by predicate', async () => {
    const spec = aggregateSpec(Account)
      .given([opened])
      .when((a) => a.withdraw(1));
    await spec.thenThrows('INSUFFICIENT_FUNDS');
    await spec.thenThrows(InsufficientFunds);
    const error = await spec.thenThrows(
      (e) => e instanceof Error && e.message === 'insufficient funds',
    );
    expect(error).toBeInstanceOf(InsufficientFunds);
  });

  it('works for a state-stored aggregate given as a function, clearing events recorded while building it', async () => {
    const spec = aggregateSpec(TodoList)
      .given(() => {
        const list = new TodoList({ name: 'groceries' });
        list.add('milk');
        return list;
      })
      .when((list) => list.add('eggs'));
    await spec.thenEvents([new ItemAdded({ item: 'eggs' })]);
    await spec.thenState({ items: ['milk', 'eggs'] });
    await aggregateSpec(TodoList)
      .given(() => new TodoList({ name: 'x', items: ['milk'] }))
      .when((list) => list.add('milk'))
      .thenThrows('DUPLICATE_ITEM');
  });

  it('runs given and when once, however many then steps follow', async () => {
    let runs = 0;
    const spec = aggregateSpec(Account)
      .given(funded)
      .when((a) => {
        runs += 1;
        a.withdraw(1);
      });
    await spec.thenNoEvents().catch(() => undefined);
    await spec.thenEvents([new MoneyWithdrawn({ amount: 1 })]);
    expect(runs).toBe(1);
  });
});

describe('aggregateSpec: failing specifications throw a readable AssertionError', () => {
  it('lists both event lists and names the first difference', async () => {
    const error = await assertionFrom(
      aggregateSpec(Account)
        .given(funded)
        .when((a) => a.withdraw(4))
        .thenEvents([new MoneyWithdrawn({ amount: 5 })]),
    );
    expect(error.message).toContain('event 1 (MoneyWithdrawn) has another payload');
    expect(error.message).toContain('expected:\n  1. MoneyWithdrawn {"amount":5}');
    expect(error.message).toContain('actual:\n  1. MoneyWithdrawn {"amount":4}');
    expect(error.expected).toEqual([{ type: 'MoneyWithdrawn', payload: { amount: 5 } }]);
    expect(error.actual).toEqual([{ type: 'MoneyWithdrawn', payload: { amount: 4 } }]);
  });

  it('reports missing and unexpected events', async () => {
    const missing = await assertionFrom(
      aggregateSpec(Account)
        .given(funded)
        .when(() => undefined)
        .thenEvents([new MoneyWithdrawn({ amount: 1 })]),
    );
    expect(missing.message).toContain('event 1 (MoneyWithdrawn) is missing');
    const extra = await assertionFrom(
      aggregateSpec(Account)
        .given(funded)
        .when((a) => a.deposit(1))
        .thenNoEvents(),
    );
    expect(extra.message).toContain('event 1 (MoneyDeposited) was not expected');
  });

  it('says when "when" threw although events or state were expected', async () => {
    const error = await assertionFrom(
      aggregateSpec(Account)
        .given([opened])
        .when((a) => a.withdraw(1))
        .thenEvents([]),
    );
    expect(error.message).toContain(
      'when threw InsufficientFunds [INSUFFICIENT_FUNDS]: insufficient funds',
    );
  });

  it('says when "when" succeeded although an error was expected, or threw another one', async () => {
    const succeeded = await assertionFrom(
      aggregateSpec(Account)
        .given(funded)
        .when((a) => a.withdraw(1))
        .thenThrows('INSUFFICIENT_FUNDS'),
    );
    expect(succeeded.message).toContain(
      'expected an error with code "INSUFFICIENT_FUNDS", but when succeeded',
    );
    expect(succeeded.message).toContain('1. MoneyWithdrawn {"amount":1}');
    const other = await assertionFrom(
      aggregateSpec(Account)
        .given([opened])
        .when((a) => a.withdraw(1))
        .thenThrows(RangeError),
    );
    expect(other.message).toContain('expected a RangeError, but when threw InsufficientFunds');
  });

  it('names the fields whose state differs', async () => {
    const error = await assertionFrom(
      aggregateSpec(Account)
        .given(funded)
        .when((a) => a.withdraw(4))
        .thenState({ owner: 'ann', balance: { amount: 7, currency: 'EUR' } }),
    );
    expect(error.message).toContain(
      'balance is {"amount":6,"currency":"EUR"}, expected {"amount":7,"currency":"EUR"}',
    );
    expect(error.message).not.toContain('owner is');
    const predicate = await assertionFrom(
      aggregateSpec(Account)
        .given(funded)
        .when(() => undefined)
        .thenState(() => false),
    );
    expect(predicate.message).toContain('the predicate returned false');
  });

  it('explains how to start a state-stored aggregate without a given function', async () => {
    const error = await assertionFrom(
      aggregateSpec(TodoList)
        .when((list) => list.add('x'))
        .thenNoEvents(),
    );
    expect(error.message).toContain('.given(() => new TodoList({ … }))');
  });

  it('reports a history the aggregate cannot replay', async () => {
    const error = await assertionFrom(
      aggregateSpec(Account)
        .given([new ItemAdded({ item: 'not an account event' })])
        .when(() => undefined)
        .thenNoEvents(),
    );
    expect(error.message).toContain('replaying the history failed');
    expect(error.message).toContain('TodoItemAdded');
  });
});
