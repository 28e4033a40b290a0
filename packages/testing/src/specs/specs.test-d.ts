import { describe as nodeDescribe, it as nodeIt } from 'node:test';
import type { CommandBus } from '@pd/cqrs';
import { aggregateSpec, commandSpec, eventStoreContract, registerContract } from '@pd/testing';
import { describe, expectTypeOf, it } from 'vitest';
import { Account, OpenAccount, TodoList } from '../__fixtures__/bank.js';

it('aggregateSpec types the aggregate in when and thenState', () => {
  aggregateSpec(Account).when((account) => {
    expectTypeOf(account).toEqualTypeOf<Account>();
  });
  aggregateSpec(Account)
    .when((a) => a.deposit(1))
    .thenState({ owner: 'ann' });
  aggregateSpec(Account)
    .when((a) => a.deposit(1))
    // @ts-expect-error: not a field of Account
    .thenState({ nickname: 'ann' });
  // @ts-expect-error: the given function must build the spec's aggregate
  aggregateSpec(Account).given(() => new TodoList({ name: 'x' }));
});

it('commandSpec types the result from the command', () => {
  const bus = {} as CommandBus;
  commandSpec(bus)
    .when(new OpenAccount({ owner: 'x' }))
    .thenResult((result) => {
      expectTypeOf(result).toEqualTypeOf<{ accountId: string }>();
      return true;
    });
  const when = commandSpec(bus).when(new OpenAccount({ owner: 'x' }));
  // @ts-expect-error: the result of OpenAccount has no balance
  when.thenResult({ balance: 1 });
});

it('registerContract accepts the describe/it of vitest and of node:test', () => {
  const suite = eventStoreContract(() => {
    throw new Error('type test only');
  });
  registerContract(suite, { describe, it });
  registerContract(suite, { describe: nodeDescribe, it: nodeIt });
});
