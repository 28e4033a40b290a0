import type { Projection } from '@pd/cqrs';
import type { DomainEventJSON } from '@pd/ddd';
import { EventSourcedProjection, InMemoryEventStore, type StoredEvent } from '@pd/eventsourcing';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AccountOpened, AccountTagged, MoneyDeposited } from '../__fixtures__/bank.js';

class Balances
  extends EventSourcedProjection({ events: [AccountOpened, MoneyDeposited], version: 2 })
  implements Projection<ReadonlyMap<string, number>, StoredEvent>
{
  readonly name = 'balances';
  readonly state = new Map<string, number>();
  protected readonly handlers = this.on({
    AccountOpened: (_event, stored) => {
      this.state.set(stored.streamId, 0);
    },
    MoneyDeposited: async (event, stored) => {
      this.state.set(stored.streamId, (this.state.get(stored.streamId) ?? 0) + event.amount);
    },
  });
  protected reset(): void {
    this.state.clear();
  }
}

async function history(): Promise<readonly StoredEvent[]> {
  const store = new InMemoryEventStore();
  await store.appendToStream('Account-1', [new AccountOpened({ owner: 'a', currency: 'EUR' })], {
    expectedVersion: 0,
  });
  await store.appendToStream('Account-2', [new AccountOpened({ owner: 'b', currency: 'EUR' })], {
    expectedVersion: 0,
  });
  await store.appendToStream(
    'Account-1',
    [new AccountTagged({ tag: 'x' }), new MoneyDeposited({ amount: 5 })],
    {
      expectedVersion: 1,
    },
  );
  return (await store.readAll()).events;
}

describe('EventSourcedProjection', () => {
  it('hands each handled event to its typed handler and ignores other types', async () => {
    const projection = new Balances();
    for (const stored of await history()) await projection.apply(stored);
    expect([...projection.state]).toEqual([
      ['Account-1', 5],
      ['Account-2', 0],
    ]);
  });

  it('checkpoint is the global position of the last applied event, ignored ones included', async () => {
    const events = await history();
    const projection = new Balances();
    expect(projection.checkpoint).toBe(0);
    await projection.apply(events[2] as StoredEvent); // AccountTagged, ignored
    expect(projection.checkpoint).toBe(3);
    await projection.apply(events[3] as StoredEvent);
    expect(projection.checkpoint).toBe(4);
  });

  it('skips redelivered events at or below the checkpoint', async () => {
    const events = await history();
    const projection = new Balances();
    for (const stored of events) await projection.apply(stored);
    await projection.apply(events[3] as StoredEvent);
    expect(projection.state.get('Account-1')).toBe(5);
  });

  it('does not advance the checkpoint when a handler throws', async () => {
    class Failing extends EventSourcedProjection({ events: [AccountOpened] }) {
      readonly name = 'failing';
      protected readonly handlers = this.on({
        AccountOpened: () => {
          throw new Error('read model down');
        },
      });
      protected reset(): void {}
    }
    const projection = new Failing();
    await expect(projection.apply((await history())[0] as StoredEvent)).rejects.toThrow(
      'read model down',
    );
    expect(projection.checkpoint).toBe(0);
  });

  it('rebuild resets state and checkpoint, then replays (sync or async iterables)', async () => {
    const events = await history();
    const projection = new Balances();
    for (const stored of events) await projection.apply(stored);
    async function* stream() {
      yield* events.slice(0, 2);
    }
    await projection.rebuild(stream());
    expect([...projection.state]).toEqual([
      ['Account-1', 0],
      ['Account-2', 0],
    ]);
    expect(projection.checkpoint).toBe(2);
    await projection.rebuild(events);
    expect(projection.checkpoint).toBe(4);
  });

  it('exposes name, version and handled type names for subscription filters', () => {
    const projection = new Balances();
    expect(projection.name).toBe('balances');
    expect(projection.version).toBe(2);
    expect(Balances.version).toBe(2);
    expect(projection.handledTypes).toEqual(['AccountOpened', 'MoneyDeposited']);
  });

  it('upcasts stored events before handling them', async () => {
    const upcaster = {
      upcast: (json: DomainEventJSON): DomainEventJSON =>
        json.type === 'Deposit' ? { ...json, type: 'MoneyDeposited' } : json,
    };
    const [opened] = await history();
    const legacy = {
      ...(opened as StoredEvent),
      type: 'Deposit',
      payload: { amount: 3 },
      globalPosition: 9,
    };
    const projection = new Balances({ upcaster });
    await projection.apply(legacy);
    expect(projection.state.get('Account-1')).toBe(3);
  });

  it('resumes from a saved checkpoint', async () => {
    const projection = new Balances();
    projection.restoreCheckpoint(3);
    for (const stored of await history()) await projection.apply(stored);
    expect([...projection.state]).toEqual([['Account-1', 5]]);
    expect(() => projection.restoreCheckpoint(-1)).toThrow(/checkpoint/);
  });

  it('types handlers per event', () => {
    class Typed extends EventSourcedProjection({ events: [AccountOpened, MoneyDeposited] }) {
      readonly name = 'typed';
      protected readonly handlers = this.on({
        AccountOpened: (event) => {
          expectTypeOf(event).toEqualTypeOf<AccountOpened>();
        },
        MoneyDeposited: (event) => {
          expectTypeOf(event.amount).toEqualTypeOf<number>();
        },
      });
      protected reset(): void {}
    }
    class Incomplete extends EventSourcedProjection({ events: [AccountOpened, MoneyDeposited] }) {
      readonly name = 'incomplete';
      // @ts-expect-error -- the MoneyDeposited handler is missing
      protected readonly handlers = this.on({ AccountOpened: () => {} });
      protected reset(): void {}
    }
    expect(new Typed().name).toBe('typed');
    expect(new Incomplete().name).toBe('incomplete');
  });
});
