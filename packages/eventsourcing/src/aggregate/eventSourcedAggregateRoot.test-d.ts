import { DomainEvent } from '@pd/ddd';
import {
  type EventOf,
  EventSourcedAggregateRoot,
  EventSourcedRepository,
  type EventSourcedState,
  InMemoryEventStore,
} from '@pd/eventsourcing';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { Account, type Money, MoneyDeposited } from '../__fixtures__/bank.js';

class Placed extends DomainEvent('Placed', { total: z.number() }) {}
class Paid extends DomainEvent('Paid', { amount: z.number() }) {}
class Unrelated extends DomainEvent('Unrelated', {}) {}
const shape = { total: z.number().default(0), paid: z.boolean().default(false) };

describe('EventSourcedAggregateRoot types', () => {
  it('types each handler with the state and its own event', () => {
    EventSourcedAggregateRoot('Order', shape, {
      events: [Placed, Paid],
      apply: {
        Placed: (state, event) => {
          expectTypeOf(event).toEqualTypeOf<Placed>();
          expectTypeOf(state).toEqualTypeOf<EventSourcedState<typeof shape, string>>();
          expectTypeOf(state.total).toEqualTypeOf<number>();
          return { total: event.total };
        },
        Paid: (_state, event) => {
          expectTypeOf(event).toEqualTypeOf<Paid>();
          return { paid: true };
        },
      },
    });
  });

  it('makes a missing handler a compile error', () => {
    EventSourcedAggregateRoot('Order', shape, {
      events: [Placed, Paid],
      // @ts-expect-error -- the Paid handler is missing
      apply: { Placed: (_s, e) => ({ total: e.total }) },
    });
  });

  it('makes a handler for an undeclared event a compile error', () => {
    EventSourcedAggregateRoot('Order', shape, {
      events: [Placed],
      apply: {
        Placed: () => undefined,
        // @ts-expect-error -- Unrelated is not declared
        Unrelated: () => undefined,
      },
    });
  });

  it('makes a change to an unknown or mistyped field a compile error', () => {
    EventSourcedAggregateRoot('Order', shape, {
      events: [Placed],
      // @ts-expect-error -- total must be a number
      apply: { Placed: () => ({ total: 'many' }) },
    });
    EventSourcedAggregateRoot('Order', shape, {
      events: [Placed],
      // @ts-expect-error -- no such field
      apply: { Placed: () => ({ nope: 1 }) },
    });
  });

  it('records only declared events', () => {
    class Order extends EventSourcedAggregateRoot('Order', shape, {
      events: [Placed, Paid],
      apply: { Placed: () => undefined, Paid: () => undefined },
    }) {
      place(): void {
        this.record(new Placed({ total: 1 }));
        // @ts-expect-error -- Unrelated is not an Order event
        this.record(new Unrelated({}));
      }
    }
    expectTypeOf(new Order().total).toEqualTypeOf<number>();
    expectTypeOf<EventOf<typeof Order.events>>().toEqualTypeOf<Placed | Paid>();
  });

  it('takes only an id at construction and keeps fields read-only', () => {
    // @ts-expect-error -- state comes from events, not from the constructor
    new Account({ owner: 'x' });
    const account = new Account();
    // @ts-expect-error -- fields are read-only
    account.owner = 'x';
    expectTypeOf(account.balance).toEqualTypeOf<Money>();
  });

  it('returns the subclass from fromHistory and fromSnapshot', () => {
    expectTypeOf(
      Account.fromHistory('id', [new MoneyDeposited({ amount: 1 })]),
    ).toEqualTypeOf<Account>();
    expectTypeOf(Account.fromSnapshot).parameter(0).toHaveProperty('state');
    // @ts-expect-error -- history of Account events only
    Account.fromHistory('id', [new Placed({ total: 1 })]);
  });

  it('infers the repository aggregate type from the class', async () => {
    const repository = new EventSourcedRepository(new InMemoryEventStore(), Account);
    expectTypeOf(await repository.getById('x')).toEqualTypeOf<Account | undefined>();
    // @ts-expect-error -- ids of Account are strings
    await repository.getById(42);
  });
});
