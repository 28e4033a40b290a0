// Shared test fixtures: a small event-sourced bank account.
import { DomainError, DomainEvent, ValueObject } from '@pd/ddd';
import { EventSourcedAggregateRoot } from '@pd/eventsourcing';
import { z } from 'zod';

export class Money extends ValueObject('Money', {
  amount: z.number().int(),
  currency: z.string().length(3),
}) {
  add(amount: number): Money {
    return this.with({ amount: this.amount + amount });
  }
}

export class AccountOpened extends DomainEvent('AccountOpened', {
  owner: z.string().min(1),
  currency: z.string().length(3),
}) {}
export class MoneyDeposited extends DomainEvent('MoneyDeposited', {
  amount: z.number().int().positive(),
}) {}
export class MoneyWithdrawn extends DomainEvent('MoneyWithdrawn', {
  amount: z.number().int().positive(),
}) {}
export class AccountTagged extends DomainEvent('AccountTagged', { tag: z.string() }) {}

export class InsufficientFunds extends DomainError<'INSUFFICIENT_FUNDS'> {
  constructor() {
    super('insufficient funds', { code: 'INSUFFICIENT_FUNDS' });
  }
}

/** No field has a default: an aggregate needs no "constructible from id alone" shape. */
export class Account extends EventSourcedAggregateRoot(
  'Account',
  {
    owner: z.string().min(1),
    balance: Money.schema(),
    tags: z.array(z.string()).default(() => []),
    openedAt: z.coerce.date(),
  },
  {
    events: [AccountOpened, MoneyDeposited, MoneyWithdrawn, AccountTagged],
    apply: {
      AccountOpened: (_state, e) => ({
        owner: e.owner,
        balance: new Money({ amount: 0, currency: e.currency }),
        openedAt: e.occurredAt,
      }),
      MoneyDeposited: (state, e) => ({ balance: state.balance.add(e.amount) }),
      MoneyWithdrawn: (state, e) => ({ balance: state.balance.add(-e.amount) }),
      AccountTagged: (state, e) => ({ tags: [...state.tags, e.tag] }),
    },
  },
) {
  static open(owner: string, currency = 'EUR', id?: string): Account {
    const account = new Account(id === undefined ? {} : { id });
    account.record(new AccountOpened({ owner, currency }));
    return account;
  }

  deposit(amount: number): void {
    this.record(new MoneyDeposited({ amount }));
  }

  withdraw(amount: number): void {
    if (amount > this.balance.amount) throw new InsufficientFunds();
    this.record(new MoneyWithdrawn({ amount }));
  }

  tag(tag: string): void {
    this.record(new AccountTagged({ tag }));
  }

  /** Breaks the rule on purpose: state must change through events. */
  renameDirectly(owner: string): void {
    this.set({ owner });
  }
}

export const ACCOUNT_ID = '01890a5d-ac96-774b-bcce-b302099a8057';
export const OTHER_ID = '01890a5d-ac96-774b-bcce-b302099a8058';
