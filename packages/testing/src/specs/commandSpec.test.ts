import { AssertionError } from 'node:assert';
import { CommandExecutionError } from '@pd/cqrs';
import { commandSpec } from '@pd/testing';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_ID,
  AccountOpened,
  bank,
  InsufficientFunds,
  MoneyDeposited,
  MoneyWithdrawn,
  OpenAccount,
  Withdraw,
} from '../__fixtures__/bank.js';

const stream = `Account-${ACCOUNT_ID}`;
const history = [
  new AccountOpened({ owner: 'ann', currency: 'EUR' }),
  new MoneyDeposited({ amount: 10 }),
];

describe('commandSpec', () => {
  it('runs a command through the real bus and unit of work against prior events', async () => {
    const { bus, store, uows } = bank();
    const outcome = await commandSpec(bus)
      .givenEvents(store, stream, history)
      .when(new Withdraw({ accountId: ACCOUNT_ID, amount: 4 }))
      .thenEvents([new MoneyWithdrawn({ amount: 4 })]);
    expect(outcome.result).toEqual({ balance: 6 });
    expect(uows.map((u) => [u.commits, u.rollbacks])).toEqual([[1, 0]]);
    expect((await store.readStream(stream)).version, 'the handler appended at commit').toBe(3);
  });

  it('asserts the result by value or predicate, and arranges with any function', async () => {
    const { bus } = bank();
    const spec = commandSpec(bus).when(new OpenAccount({ owner: 'bob' }));
    await spec.thenResult({ accountId: ACCOUNT_ID });
    await spec.thenResult((r) => r.accountId.length > 0);
    await spec.thenEvents([new AccountOpened({ owner: 'bob', currency: 'EUR' })]);
    const arranged = bank();
    await commandSpec(arranged.bus)
      .given(() => arranged.bus.send(new OpenAccount({ owner: 'ann' })))
      .when(new Withdraw({ accountId: ACCOUNT_ID, amount: 1 }))
      .thenThrows('INSUFFICIENT_FUNDS');
  });

  it('finds the domain error behind CommandExecutionError by code or class, and the wrapper too', async () => {
    const { bus, store, uows } = bank();
    const spec = commandSpec(bus)
      .givenEvents(store, stream, history)
      .when(new Withdraw({ accountId: ACCOUNT_ID, amount: 99 }));
    await spec.thenThrows('INSUFFICIENT_FUNDS');
    await spec.thenThrows(InsufficientFunds);
    const error = await spec.thenThrows(CommandExecutionError);
    expect((error as CommandExecutionError).causeCode).toBe('INSUFFICIENT_FUNDS');
    expect(uows.map((u) => [u.commits, u.rollbacks])).toEqual([[0, 1]]);
  });

  it('fails readably on wrong events, an unexpected error, or an unexpected success', async () => {
    const wrong = bank();
    const events = await commandSpec(wrong.bus)
      .givenEvents(wrong.store, stream, history)
      .when(new Withdraw({ accountId: ACCOUNT_ID, amount: 4 }))
      .thenEvents([new MoneyWithdrawn({ amount: 40 })])
      .catch((e: unknown) => e);
    expect(events).toBeInstanceOf(AssertionError);
    expect((events as Error).message).toContain(
      'commandSpec(Withdraw).thenEvents: event 1 (MoneyWithdrawn) has another payload',
    );

    const failing = bank();
    const failed = await commandSpec(failing.bus)
      .when(new Withdraw({ accountId: ACCOUNT_ID, amount: 4 }))
      .thenResult({ balance: 6 })
      .catch((e: unknown) => e);
    expect((failed as Error).message).toContain(
      'the command failed: CommandExecutionError [COMMAND_EXECUTION]',
    );
    expect((failed as Error).message).toContain('no such account');

    const ok = bank();
    const succeeded = await commandSpec(ok.bus)
      .when(new OpenAccount({ owner: 'x' }))
      .thenThrows()
      .catch((e: unknown) => e);
    expect((succeeded as Error).message).toContain(
      'but the command succeeded with result {"accountId"',
    );
    expect((succeeded as Error).message).toContain('1. AccountOpened');

    const result = await commandSpec(bank().bus)
      .when(new OpenAccount({ owner: 'x' }))
      .thenResult({ accountId: 'other' })
      .catch((e: unknown) => e);
    expect(result).toMatchObject({
      expected: { accountId: 'other' },
      actual: { accountId: ACCOUNT_ID },
    });
  });

  it('reports a failing arrangement as such', async () => {
    const { bus, store } = bank();
    await store.appendToStream(stream, history, { expectedVersion: 'no_stream' });
    const error = await commandSpec(bus)
      .given(() => store.appendToStream(stream, history, { expectedVersion: 'no_stream' }))
      .when(new Withdraw({ accountId: ACCOUNT_ID, amount: 1 }))
      .thenEvents([])
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      'commandSpec(Withdraw).given failed: ConcurrencyError',
    );
  });
});
