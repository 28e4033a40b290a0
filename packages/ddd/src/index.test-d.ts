import {
  AggregateRoot,
  type AnyDomainEvent,
  DomainEvent,
  type DomainEventJSON,
  Entity,
  InMemoryRepository,
  isPdError,
  type PdError,
  type Repository,
  Specification,
  ValueObject,
} from '@pd/ddd';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

class Money extends ValueObject('Money', {
  amount: z.number().int(),
  currency: z.string().length(3),
}) {
  add(other: Money): Money {
    return this.with({ amount: this.amount + other.amount });
  }
}

class Profile extends ValueObject('Profile', {
  name: z.string(),
  age: z.number(),
  tier: z.enum(['free', 'pro']),
  country: z.string().default('FR'),
  nickname: z.string().optional(),
  balance: Money.schema(),
  since: z.coerce.date(),
}) {}

class OrderPlaced extends DomainEvent('OrderPlaced', {
  orderId: z.string(),
  total: Money.schema(),
}) {}

class Order extends AggregateRoot('Order', {
  status: z.enum(['draft', 'placed']).default('draft'),
  total: Money.schema(),
}) {
  place(): void {
    this.set({ status: 'placed' });
    this.record(new OrderPlaced({ orderId: this.id, total: this.total }));
  }
}

class Seat extends Entity('Seat', { label: z.string() }, { id: z.number().int() }) {}

const eur = new Money({ amount: 1, currency: 'EUR' });

describe('value objects', () => {
  const profile = new Profile({
    name: 'Ada',
    age: 36,
    tier: 'pro',
    balance: { amount: 5, currency: 'EUR' },
    since: '2020-01-01',
  });

  it('infers every field from the shape', () => {
    expectTypeOf(profile.name).toEqualTypeOf<string>();
    expectTypeOf(profile.age).toEqualTypeOf<number>();
    expectTypeOf(profile.tier).toEqualTypeOf<'free' | 'pro'>();
    expectTypeOf(profile.country).toEqualTypeOf<string>();
    expectTypeOf(profile.nickname).toEqualTypeOf<string | undefined>();
    expectTypeOf(profile.balance).toEqualTypeOf<Money>();
    expectTypeOf(profile.balance.add).toBeFunction();
    expectTypeOf(profile.since).toEqualTypeOf<Date>();
  });

  it('makes fields readonly from outside', () => {
    // @ts-expect-error value object fields are readonly
    eur.amount = 2;
    // @ts-expect-error nested value objects too
    profile.balance = eur;
  });

  it('checks construction input', () => {
    // @ts-expect-error amount must be a number
    new Money({ amount: '5', currency: 'EUR' });
    // @ts-expect-error currency is required
    new Money({ amount: 5 });
    // @ts-expect-error tier must be one of the enum values
    new Profile({ name: 'A', age: 1, tier: 'gold', balance: eur, since: new Date() });
    // A default makes the field optional at construction; a nested value object takes an instance or props.
    new Profile({ name: 'A', age: 1, tier: 'free', balance: eur, since: new Date() });
  });

  it('returns the subclass from with and fromJSON', () => {
    expectTypeOf(eur.with({ amount: 2 })).toEqualTypeOf<Money>();
    expectTypeOf(Money.fromJSON({})).toEqualTypeOf<Money>();
    expectTypeOf(Money.typeName).toEqualTypeOf<'Money'>();
    // @ts-expect-error with checks the patch
    eur.with({ amount: 'x' });
  });
});

describe('entities and aggregates', () => {
  const order = new Order({ total: eur });

  it('types the id from the id schema (UUID string by default)', () => {
    expectTypeOf(order.id).toEqualTypeOf<string>();
    expectTypeOf(new Seat({ id: 1, label: 'A' }).id).toEqualTypeOf<number>();
    // @ts-expect-error a number id cannot be a string
    new Seat({ id: 'A1', label: 'A' });
    expectTypeOf(order.version).toEqualTypeOf<number>();
  });

  it('infers fields and keeps them readonly from outside', () => {
    expectTypeOf(order.status).toEqualTypeOf<'draft' | 'placed'>();
    expectTypeOf(order.total).toEqualTypeOf<Money>();
    // @ts-expect-error fields change only through the entity's methods
    order.status = 'placed';
    // @ts-expect-error the id is readonly
    order.id = 'x';
  });

  it('keeps set and record protected', () => {
    // @ts-expect-error set is protected
    order.set({ status: 'placed' });
    // @ts-expect-error record is protected
    order.record(new OrderPlaced({ orderId: order.id, total: eur }));
  });

  it('returns the subclass from fromJSON and events from pullEvents', () => {
    expectTypeOf(Order.fromJSON({})).toEqualTypeOf<Order>();
    expectTypeOf(Seat.fromJSON({})).toEqualTypeOf<Seat>();
    expectTypeOf(order.pullEvents()).toEqualTypeOf<AnyDomainEvent[]>();
  });

  it('types repositories by aggregate and id', () => {
    const orders: Repository<Order> = new InMemoryRepository<Order>();
    expectTypeOf(orders.getById).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(orders.getById('x')).resolves.toEqualTypeOf<Order | undefined>();
    const seats = new InMemoryRepository<Seat & Order>();
    expectTypeOf(seats.getById).parameter(0).toBeNever();
  });
});

describe('domain events', () => {
  const event = new OrderPlaced({ orderId: 'o-1', total: { amount: 1, currency: 'EUR' } });

  it('types payload fields and metadata', () => {
    expectTypeOf(event.orderId).toEqualTypeOf<string>();
    expectTypeOf(event.total).toEqualTypeOf<Money>();
    expectTypeOf(event.payload()).toEqualTypeOf<{ orderId: string; total: Money }>();
    expectTypeOf(event.eventId).toEqualTypeOf<string>();
    expectTypeOf(event.occurredAt).toEqualTypeOf<Date>();
    expectTypeOf(event.correlationId).toEqualTypeOf<string | null>();
    expectTypeOf(event.toJSON()).toEqualTypeOf<DomainEventJSON>();
    // @ts-expect-error orderId must be a string
    new OrderPlaced({ orderId: 1, total: eur });
    // @ts-expect-error events are immutable
    event.orderId = 'o-2';
  });

  it('returns the subclass from stamp and fromJSON', () => {
    expectTypeOf(
      event.stamp({ correlationId: 'c', causationId: null }),
    ).toEqualTypeOf<OrderPlaced>();
    expectTypeOf(OrderPlaced.fromJSON(event.toJSON())).toEqualTypeOf<OrderPlaced>();
  });
});

describe('specifications and errors', () => {
  class Positive extends Specification<number> {
    isSatisfiedBy(n: number): boolean {
      return n > 0;
    }
  }

  it('keeps the candidate type through combinators', () => {
    const spec = new Positive().and(new Positive()).not();
    expectTypeOf(spec.isSatisfiedBy).parameter(0).toEqualTypeOf<number>();
    // @ts-expect-error a number specification cannot check a string
    spec.isSatisfiedBy('x');
  });

  it('narrows with isPdError', () => {
    const error: unknown = new Error('x');
    if (isPdError(error, 'CONCURRENCY'))
      expectTypeOf(error).toEqualTypeOf<PdError<'CONCURRENCY'>>();
  });
});
