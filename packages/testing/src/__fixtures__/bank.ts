// Test-only fixtures: an event-sourced bank account, its commands and bus, a projection, a
// level-1 aggregate and a saga. Not exported.
import { Saga } from '@pd/advanced/saga';
import { Command, CommandBus } from '@pd/cqrs';
import { AggregateRoot, DomainError, DomainEvent, ValueObject } from '@pd/ddd';
import {
  EventSourcedAggregateRoot,
  EventSourcedProjection,
  EventSourcedRepository,
  type EventStore,
} from '@pd/eventsourcing';
import { z } from 'zod';
import { FakeEventStore } from '../fakes/fakeEventStore.js';
import { FakeUnitOfWork } from '../fakes/fakeUnitOfWork.js';

export class Money extends ValueObject('Money', {
  amount: z.number().int(),
  currency: z.string().length(3),
}) {
  add(amount: number): Money {
    return this.with({ amount: this.amount + amount });
  }
}

export class AccountOpened extends DomainEvent('AccountOpened', {
  owner: z.string(),
  currency: z.string(),
}) {}
export class MoneyDeposited extends DomainEvent('MoneyDeposited', {
  amount: z.number().int().positive(),
}) {}
export class MoneyWithdrawn extends DomainEvent('MoneyWithdrawn', {
  amount: z.number().int().positive(),
}) {}

export class InsufficientFunds extends DomainError<'INSUFFICIENT_FUNDS'> {
  constructor() {
    super('insufficient funds', { code: 'INSUFFICIENT_FUNDS' });
  }
}

export class Account extends EventSourcedAggregateRoot(
  'Account',
  { owner: z.string().default(''), balance: Money.schema().optional() },
  {
    events: [AccountOpened, MoneyDeposited, MoneyWithdrawn],
    apply: {
      AccountOpened: (_s, e) => ({
        owner: e.owner,
        balance: new Money({ amount: 0, currency: e.currency }),
      }),
      MoneyDeposited: (s, e) => ({ balance: s.balance?.add(e.amount) }),
      MoneyWithdrawn: (s, e) => ({ balance: s.balance?.add(-e.amount) }),
    },
  },
) {
  static open(owner: string, id?: string): Account {
    const account = new Account(id === undefined ? undefined : { id });
    account.record(new AccountOpened({ owner, currency: 'EUR' }));
    return account;
  }
  deposit(amount: number): void {
    this.record(new MoneyDeposited({ amount }));
  }
  withdraw(amount: number): void {
    if (amount > (this.balance?.amount ?? 0)) throw new InsufficientFunds();
    this.record(new MoneyWithdrawn({ amount }));
  }
}

export const ACCOUNT_ID = '01890a5d-ac96-774b-bcce-b302099a8057';

export class OpenAccount extends Command<{ accountId: string }>()('OpenAccount', {
  owner: z.string(),
}) {}
export class Withdraw extends Command<{ balance: number }>()('Withdraw', {
  accountId: z.string(),
  amount: z.number().int(),
}) {}

/** A bank wired to fakes: the command bus, an event store and the units of work it made. */
export function bank(store: EventStore = new FakeEventStore()) {
  const uows: FakeUnitOfWork[] = [];
  const newUow = () => {
    const uow = new FakeUnitOfWork();
    uows.push(uow);
    return Object.assign(uow, { accounts: uow.enlist(new EventSourcedRepository(store, Account)) });
  };
  const bus = new CommandBus()
    .register(
      OpenAccount,
      async (cmd, uow) => {
        const account = Account.open(cmd.owner, ACCOUNT_ID);
        await uow.accounts.save(account);
        return { accountId: account.id };
      },
      { uow: newUow },
    )
    .register(
      Withdraw,
      async (cmd, uow) => {
        const account = await uow.accounts.getById(cmd.accountId);
        if (account === undefined) throw new DomainError('no such account', { code: 'NO_ACCOUNT' });
        account.withdraw(cmd.amount);
        await uow.accounts.save(account);
        return { balance: account.balance?.amount ?? 0 };
      },
      { uow: newUow },
    );
  return { bus, store, uows };
}

/** Balances per stream. */
export class Balances extends EventSourcedProjection({
  events: [AccountOpened, MoneyDeposited, MoneyWithdrawn],
}) {
  readonly name = 'balances';
  readonly byStream = new Map<string, number>();
  total = 0;
  protected readonly handlers = this.on({
    AccountOpened: (_e, stored) => {
      this.byStream.set(stored.streamId, 0);
    },
    MoneyDeposited: (e, stored) => this.#add(stored.streamId, e.amount),
    MoneyWithdrawn: (e, stored) => this.#add(stored.streamId, -e.amount),
  });
  #add(streamId: string, amount: number): void {
    this.byStream.set(streamId, (this.byStream.get(streamId) ?? 0) + amount);
    this.total += amount;
  }
  protected reset(): void {
    this.byStream.clear();
    this.total = 0;
  }
}

/** A level-1 (state-stored) aggregate. */
export class TodoList extends AggregateRoot('TodoList', {
  name: z.string(),
  items: z.array(z.string()).default([]),
}) {
  add(item: string): void {
    if (this.items.includes(item))
      throw new DomainError(`duplicate ${item}`, { code: 'DUPLICATE_ITEM' });
    this.set({ items: [...this.items, item] });
    this.record(new ItemAdded({ item }));
  }
}
export class ItemAdded extends DomainEvent('TodoItemAdded', { item: z.string() }) {}

// --- a small saga ------------------------------------------------------------------------------
export class OrderPlaced extends DomainEvent('OrderPlaced', {
  orderId: z.string(),
  amount: z.number(),
}) {}
export class PaymentCharged extends DomainEvent('PaymentCharged', { orderId: z.string() }) {}
export class PaymentDeclined extends DomainEvent('PaymentDeclined', {
  orderId: z.string(),
  reason: z.string(),
}) {}
export class ApprovalGranted extends DomainEvent('ApprovalGranted', { orderId: z.string() }) {}

export class ReserveStock extends Command()('ReserveStock', { orderId: z.string() }) {}
export class ReleaseStock extends Command()('ReleaseStock', { orderId: z.string() }) {}
export class ChargePayment extends Command()('ChargePayment', {
  orderId: z.string(),
  amount: z.number(),
}) {}
export class ShipOrder extends Command()('ShipOrder', { orderId: z.string() }) {}
export class NotifyCustomer extends Command()('NotifyCustomer', {
  orderId: z.string(),
  message: z.string(),
}) {}
export const SAGA_COMMANDS = [ReserveStock, ReleaseStock, ChargePayment, ShipOrder, NotifyCustomer];

export class Checkout extends Saga<{ orderId?: string }> {
  static override readonly sagaType: string = 'Checkout';
  static override readonly listensTo = [
    OrderPlaced,
    PaymentCharged,
    PaymentDeclined,
    ApprovalGranted,
  ];
  protected override configure(): void {
    this.on(OrderPlaced, {
      step: 'charging',
      send: (e) => new ChargePayment({ orderId: e.orderId, amount: e.amount }),
      compensate: (e) => new ReleaseStock({ orderId: e.orderId }),
    });
    this.on(PaymentCharged, {
      step: 'approval',
      send: (e) => new ReserveStock({ orderId: e.orderId }),
      suspend: true,
      suspendReason: 'waiting for approval',
      suspendTimeout: 60_000,
    });
    this.on(ApprovalGranted, {
      step: 'shipping',
      send: (e) => new ShipOrder({ orderId: e.orderId }),
      complete: true,
    });
    this.on(PaymentDeclined, {
      step: 'declined',
      send: (e) => new NotifyCustomer({ orderId: e.orderId, message: e.reason }),
      fail: true,
      failReason: (e) => `declined: ${e.reason}`,
    });
  }
}
