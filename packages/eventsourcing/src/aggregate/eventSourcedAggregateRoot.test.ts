import { DomainEvent, FixedClock, isPdError, ValidationError, withDomainDefaults } from '@pd/ddd';
import { EventSourcedAggregateRoot, StateChangeOutsideEventError } from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ACCOUNT_ID, Account, AccountTagged, Money, MoneyDeposited } from '../__fixtures__/bank.js';

describe('EventSourcedAggregateRoot: recording', () => {
  it('applies the handler, buffers the event and bumps the version', () => {
    const account = Account.open('ada');
    account.deposit(30);
    expect(account.owner).toBe('ada');
    expect(account.balance).toBeInstanceOf(Money);
    expect(account.balance.amount).toBe(30);
    expect(account.version).toBe(2);
    expect(account.peekEvents().map((e) => e.eventType)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
    ]);
  });

  it('buffers nothing and keeps the version when the handler throws', () => {
    const Boom = DomainEvent('Boom', {});
    class Fragile extends EventSourcedAggregateRoot(
      'Fragile',
      { n: z.number().default(0) },
      {
        events: [Boom],
        apply: {
          Boom: () => {
            throw new Error('handler failed');
          },
        },
      },
    ) {
      boom(): void {
        this.record(new Boom({}));
      }
    }
    const fragile = new Fragile();
    expect(() => fragile.boom()).toThrow('handler failed');
    expect(fragile.version).toBe(0);
    expect(fragile.peekEvents()).toEqual([]);
  });

  it('buffers nothing and keeps the state when the returned change is invalid', () => {
    const SetN = DomainEvent('SetN', { n: z.number() });
    class Bounded extends EventSourcedAggregateRoot(
      'Bounded',
      { n: z.number().max(10).default(0), m: z.number().default(0) },
      {
        events: [SetN],
        apply: { SetN: (_s, e) => ({ m: 1, n: e.n }) },
      },
    ) {
      setN(n: number): void {
        this.record(new SetN({ n }));
      }
    }
    const bounded = new Bounded();
    expect(() => bounded.setN(11)).toThrow(ValidationError);
    expect({ n: bounded.n, m: bounded.m, version: bounded.version }).toEqual({
      n: 0,
      m: 0,
      version: 0,
    });
    expect(bounded.peekEvents()).toEqual([]);
  });

  it('rejects set() outside an apply handler with a clear, coded error', () => {
    const account = Account.open('ada');
    let error: unknown;
    try {
      account.renameDirectly('bob');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateChangeOutsideEventError);
    expect(isPdError(error, 'STATE_CHANGE_OUTSIDE_EVENT')).toBe(true);
    expect(String(error)).toMatch(/Account is event-sourced.*apply handler/);
    expect(account.owner).toBe('ada');
  });

  it('refuses fields in the constructor: state comes from events only', () => {
    expect(() => new Account({ owner: 'x' } as never)).toThrow(StateChangeOutsideEventError);
  });

  it('starts blank with the id, version 0 and only schema defaults', () => {
    const account = new Account({ id: ACCOUNT_ID });
    expect(account.id).toBe(ACCOUNT_ID);
    expect(account.version).toBe(0);
    expect(account.tags).toEqual([]);
    expect(account.owner).toBeUndefined();
    expect(() => new Account({ id: 'not-a-uuid' })).toThrow(ValidationError);
  });

  it('rejects an event of a type the aggregate does not declare', () => {
    const Stray = DomainEvent('Stray', {});
    const account = Account.open('ada');
    expect(() => account.replay([new Stray({}) as never])).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_EVENT_TYPE', eventType: 'Stray' }),
    );
    expect(account.version).toBe(1);
  });
});

describe('EventSourcedAggregateRoot: definition checks (for JavaScript callers)', () => {
  const A = DomainEvent('A', {});
  const B = DomainEvent('B', {});
  it('throws when a declared event has no handler', () => {
    expect(() =>
      EventSourcedAggregateRoot(
        'X',
        {},
        { events: [A, B], apply: { A: () => undefined } as never },
      ),
    ).toThrow(/no apply handler for event B/);
  });
  it('throws for a handler of an undeclared event', () => {
    expect(() =>
      EventSourcedAggregateRoot(
        'X',
        {},
        {
          events: [A],
          apply: { A: () => undefined, C: () => undefined } as never,
        },
      ),
    ).toThrow(/"C" is not one of the declared events/);
  });
  it('throws when two declared classes share a type name', () => {
    const A2 = DomainEvent('A', { x: z.number() });
    expect(() =>
      EventSourcedAggregateRoot('X', {}, { events: [A, A2], apply: { A: () => undefined } }),
    ).toThrow(/share the type name "A"/);
  });
  it('reserves the event-sourcing method names', () => {
    expect(() =>
      EventSourcedAggregateRoot(
        'X',
        { replay: z.string() },
        { events: [A], apply: { A: () => undefined } },
      ),
    ).toThrow(/reserved/);
  });
});

describe('EventSourcedAggregateRoot: replay', () => {
  it('replays without buffering, and versions continue across replay and record', () => {
    const source = Account.open('ada', 'EUR', ACCOUNT_ID);
    source.deposit(5);
    const history = source.pullEvents();

    const account = new Account({ id: ACCOUNT_ID }).replay(history);
    expect(account.version).toBe(2);
    expect(account.peekEvents()).toEqual([]);
    account.deposit(1);
    expect(account.version).toBe(3);
    expect(account.peekEvents()).toHaveLength(1);
    expect(account.balance.amount).toBe(6);
  });

  it('fromHistory builds the same state as the original', () => {
    const source = Account.open('ada', 'EUR', ACCOUNT_ID);
    source.tag('vip');
    source.deposit(10);
    source.withdraw(4);
    const rebuilt = Account.fromHistory(ACCOUNT_ID, source.pullEvents());
    expect(rebuilt).toBeInstanceOf(Account);
    expect(rebuilt.toJSON()).toEqual(source.toJSON());
    expect(rebuilt.peekEvents()).toEqual([]);
  });

  it('rebuilds a 10k-event aggregate (sanity, no timing)', () => {
    const source = Account.open('ada', 'EUR', ACCOUNT_ID);
    for (let i = 0; i < 10_000; i++) source.deposit(1);
    const rebuilt = Account.fromHistory(ACCOUNT_ID, source.pullEvents());
    expect(rebuilt.version).toBe(10_001);
    expect(rebuilt.balance.amount).toBe(10_000);
  });
});

describe('EventSourcedAggregateRoot: snapshots', () => {
  const clock = new FixedClock('2026-03-01T10:00:00.000Z');

  function openedAccount(): Account {
    return withDomainDefaults({ clock }, () => {
      const account = Account.open('ada', 'EUR', ACCOUNT_ID);
      account.deposit(7);
      account.tag('vip');
      return account;
    });
  }

  it('takes state JSON without id and version, the version and the schema version', () => {
    const account = openedAccount();
    const snapshot = account.toSnapshot({ clock });
    expect(snapshot).toEqual({
      aggregateType: 'Account',
      aggregateId: ACCOUNT_ID,
      version: 3,
      state: {
        owner: 'ada',
        balance: { amount: 7, currency: 'EUR' },
        tags: ['vip'],
        openedAt: '2026-03-01T10:00:00.000Z',
      },
      schemaVersion: 1,
      createdAt: '2026-03-01T10:00:00.000Z',
    });
    expect(account.toSnapshot({ clock })).not.toBe(snapshot);
    expect(account.peekEvents()).toHaveLength(3);
  });

  it('uses the static snapshotSchemaVersion', () => {
    class AccountV2 extends Account {
      static override readonly snapshotSchemaVersion = 2;
    }
    const account = AccountV2.fromHistory(ACCOUNT_ID, openedAccount().pullEvents());
    expect(account.toSnapshot().schemaVersion).toBe(2);
  });

  it('restores through the schema: nested value objects come back as instances', () => {
    const snapshot = openedAccount().toSnapshot({ clock });
    const restored = Account.fromSnapshot(snapshot);
    expect(restored).toBeInstanceOf(Account);
    expect(restored.balance).toBeInstanceOf(Money);
    expect(restored.balance.add(1).amount).toBe(8);
    expect(restored.openedAt).toEqual(new Date('2026-03-01T10:00:00.000Z'));
    expect(restored.version).toBe(3);
    expect(restored.peekEvents()).toEqual([]);
  });

  it('deep-copies: replaying on a restored aggregate never changes the snapshot', () => {
    const snapshot = openedAccount().toSnapshot({ clock });
    const before = structuredClone(snapshot);
    const restored = Account.fromSnapshot(snapshot);
    restored.tag('gold');
    restored.replay([new AccountTagged({ tag: 'x' })]);
    expect(snapshot).toEqual(before);
    expect(Account.fromSnapshot(snapshot).tags).toEqual(['vip']);
  });

  it('rejects an invalid state or another type with a ValidationError', () => {
    const snapshot = openedAccount().toSnapshot({ clock });
    expect(() =>
      Account.fromSnapshot({ ...snapshot, state: { ...snapshot.state, balance: { amount: 'x' } } }),
    ).toThrow(ValidationError);
    expect(() => Account.fromSnapshot({ ...snapshot, aggregateType: 'Order' })).toThrow(
      /snapshot is of type Order/,
    );
  });

  it('continues recording from the snapshot version', () => {
    const restored = Account.fromSnapshot(openedAccount().toSnapshot({ clock }));
    restored.replay([new MoneyDeposited({ amount: 1 })]);
    restored.deposit(2);
    expect(restored.version).toBe(5);
    expect(restored.balance.amount).toBe(10);
    expect(restored.peekEvents()).toHaveLength(1);
  });
});
