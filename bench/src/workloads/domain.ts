// The small domain every workload uses: an event-sourced bank account.
import { Command } from '@pd/cqrs';
import { DomainEvent, ValueObject } from '@pd/ddd';
import { EventSourcedAggregateRoot } from '@pd/eventsourcing';
import { z } from 'zod';

/** A validated value object with two fields (workload 2). */
export class Money extends ValueObject('Money', {
  amount: z.number().int(),
  currency: z.string().length(3),
}) {}

export class AccountOpened extends DomainEvent('AccountOpened', {
  accountId: z.string().min(1),
  owner: z.string().min(1),
}) {}

/** The event of most workloads: two fields, one of them an id string. */
export class MoneyDeposited extends DomainEvent('MoneyDeposited', {
  accountId: z.string().min(1),
  amount: z.number().int().positive(),
}) {}

export class MoneyWithdrawn extends DomainEvent('MoneyWithdrawn', {
  accountId: z.string().min(1),
  amount: z.number().int().positive(),
}) {}

/** An event-sourced account: owner and balance, changed only by its three events. */
export class Account extends EventSourcedAggregateRoot(
  'Account',
  { owner: z.string().default(''), balance: z.number().int().default(0) },
  {
    events: [AccountOpened, MoneyDeposited, MoneyWithdrawn],
    apply: {
      AccountOpened: (_state, e) => ({ owner: e.owner }),
      MoneyDeposited: (state, e) => ({ balance: state.balance + e.amount }),
      MoneyWithdrawn: (state, e) => ({ balance: state.balance - e.amount }),
    },
  },
) {}

/** The command of workload 1. */
export class Deposit extends Command<number>()('Deposit', {
  accountId: z.string().min(1),
  amount: z.number().int().positive(),
}) {}

/** Any event of an account. */
export type AccountEvent = AccountOpened | MoneyDeposited | MoneyWithdrawn;

/** The plain row of an event, as a hand-written store keeps it: what a fold needs. */
export interface PlainEvent {
  readonly type: string;
  /** The event's version in its stream (1-based): the folded state's version. */
  readonly streamVersion: number;
  readonly payload: {
    readonly accountId: string;
    readonly amount?: number;
    readonly owner?: string;
  };
}

/** The state the baselines fold events into. */
export interface PlainAccount {
  readonly owner: string;
  readonly balance: number;
  /** The version of the last event folded in, as an aggregate tracks it for concurrency checks. */
  readonly version: number;
}

/** The hand-written fold of the baselines: what `Account`'s apply handlers do. */
export function applyPlain(state: PlainAccount, event: PlainEvent): PlainAccount {
  switch (event.type) {
    case 'AccountOpened':
      return {
        owner: event.payload.owner ?? '',
        balance: state.balance,
        version: event.streamVersion,
      };
    case 'MoneyDeposited':
      return {
        owner: state.owner,
        balance: state.balance + (event.payload.amount ?? 0),
        version: event.streamVersion,
      };
    case 'MoneyWithdrawn':
      return {
        owner: state.owner,
        balance: state.balance - (event.payload.amount ?? 0),
        version: event.streamVersion,
      };
    default:
      return { owner: state.owner, balance: state.balance, version: event.streamVersion };
  }
}

export const EMPTY_ACCOUNT: PlainAccount = { owner: '', balance: 0, version: 0 };

/**
 * The history of one account: opened, then deposits of 1..9 and every 10th event a withdrawal
 * of 1.
 */
export function accountHistory(accountId: string, length: number): AccountEvent[] {
  const events: AccountEvent[] = [new AccountOpened({ accountId, owner: 'bench' })];
  for (let i = 1; i < length; i++) {
    events.push(
      i % 10 === 0
        ? new MoneyWithdrawn({ accountId, amount: 1 })
        : new MoneyDeposited({ accountId, amount: (i % 9) + 1 }),
    );
  }
  return events;
}

/** The balance `accountHistory(…, length)` ends with. */
export function expectedBalance(length: number): number {
  let balance = 0;
  for (let i = 1; i < length; i++) balance += i % 10 === 0 ? -1 : (i % 9) + 1;
  return balance;
}
