import { ConcurrencyError, DomainError, type DomainEventJSON, FixedClock } from '@pd/ddd';
import {
  type AppendOptions,
  EventSourcedRepository,
  type EventStore,
  InMemoryEventStore,
  InMemorySnapshotStore,
  type Snapshot,
  type SnapshotPolicy,
  type SnapshotStore,
  UnknownEventTypeError,
} from '@pd/eventsourcing';
import { describe, expect, it, vi } from 'vitest';
import { ACCOUNT_ID, Account, MoneyDeposited, OTHER_ID } from '../__fixtures__/bank.js';

const clock = new FixedClock('2026-04-01T00:00:00.000Z');
const context = { commandId: 'cmd-1', correlationId: 'corr-1', causationId: 'cause-1' };
const stream = `Account-${ACCOUNT_ID}`;

function spyOn(store: InMemoryEventStore) {
  const appends: { streamId: string; count: number; options: AppendOptions }[] = [];
  const reads: { streamId: string; fromVersion: number | undefined }[] = [];
  const spied: EventStore = {
    appendToStream: (streamId, events, options) => {
      appends.push({ streamId, count: events.length, options });
      return store.appendToStream(streamId, events, options);
    },
    readStream: (streamId, options) => {
      reads.push({ streamId, fromVersion: options?.fromVersion });
      return store.readStream(streamId, options);
    },
    readAll: (o) => store.readAll(o),
    getStreamMetadata: (id) => store.getStreamMetadata(id),
    deleteStream: (id, o) => store.deleteStream(id, o),
  };
  return { spied, appends, reads };
}

async function seed(store: EventStore, deposits = 0): Promise<void> {
  const repository = new EventSourcedRepository(store, Account);
  const account = Account.open('ada', 'EUR', ACCOUNT_ID);
  for (let i = 0; i < deposits; i++) account.deposit(1);
  await repository.save(account);
  await repository.flush();
}

/** A store with the account and 2 deposits, an empty snapshot store, and the account's snapshot. */
async function seededWithSnapshot() {
  const store = new InMemoryEventStore();
  await seed(store, 2);
  const loaded = await new EventSourcedRepository(store, Account).getById(ACCOUNT_ID);
  return { store, snapshots: new InMemorySnapshotStore(), real: (loaded as Account).toSnapshot() };
}

describe('EventSourcedRepository: saving at flush', () => {
  it('save only stages; flush appends with expected version = version − new events and the command id', async () => {
    const store = new InMemoryEventStore();
    const { spied, appends } = spyOn(store);
    const repository = new EventSourcedRepository(spied, Account);
    const account = Account.open('ada', 'EUR', ACCOUNT_ID);
    account.deposit(5);
    await repository.save(account);
    expect(await store.getStreamMetadata(stream)).toBeUndefined();
    expect(account.peekEvents()).toEqual([]);

    await repository.flush(context);
    expect(appends).toEqual([
      { streamId: stream, count: 2, options: { expectedVersion: 0, commandId: 'cmd-1' } },
    ]);
    const stored = (await store.readStream(stream)).events;
    expect(stored.map((e) => e.metadata.commandId)).toEqual(['cmd-1', 'cmd-1']);
    expect(stored.map((e) => e.correlationId)).toEqual(['corr-1', 'corr-1']);

    const loaded = await repository.getById(ACCOUNT_ID);
    loaded?.deposit(1);
    if (loaded) await repository.save(loaded);
    await repository.flush({ ...context, commandId: 'cmd-2' });
    expect(appends[1]?.options).toEqual({ expectedVersion: 2, commandId: 'cmd-2' });
  });

  it('hands appended events, stamped with the tracing ids, to pullEvents once', async () => {
    const repository = new EventSourcedRepository(new InMemoryEventStore(), Account);
    await repository.save(Account.open('ada', 'EUR', ACCOUNT_ID));
    expect(repository.pullEvents()).toEqual([]);
    await repository.flush(context);
    const events = repository.pullEvents();
    expect(events.map((e) => [e.eventType, e.correlationId, e.causationId])).toEqual([
      ['AccountOpened', 'corr-1', 'cause-1'],
    ]);
    expect(repository.pullEvents()).toEqual([]);
  });

  it('stages nothing for an aggregate without new events', async () => {
    const { spied, appends } = spyOn(new InMemoryEventStore());
    const repository = new EventSourcedRepository(spied, Account);
    await repository.save(new Account({ id: ACCOUNT_ID }));
    await repository.flush(context);
    expect(appends).toEqual([]);
  });

  it('joins two saves of one aggregate into one atomic append', async () => {
    const { spied, appends } = spyOn(new InMemoryEventStore());
    const repository = new EventSourcedRepository(spied, Account);
    const account = Account.open('ada', 'EUR', ACCOUNT_ID);
    await repository.save(account);
    account.deposit(3);
    await repository.save(account);
    await repository.flush(context);
    expect(appends).toMatchObject([{ count: 2, options: { expectedVersion: 0 } }]);
  });

  it('an explicit commandId in save wins over the unit of work’s', async () => {
    const { spied, appends } = spyOn(new InMemoryEventStore());
    const repository = new EventSourcedRepository(spied, Account);
    await repository.save(Account.open('ada', 'EUR', ACCOUNT_ID), { commandId: 'explicit' });
    await repository.flush(context);
    expect(appends[0]?.options.commandId).toBe('explicit');
  });

  it('discardEvents drops staged work: a rolled-back command writes nothing', async () => {
    const store = new InMemoryEventStore();
    const repository = new EventSourcedRepository(store, Account);
    await repository.save(Account.open('ada', 'EUR', ACCOUNT_ID));
    repository.discardEvents();
    await repository.flush(context);
    expect(store.lastPosition).toBe(0);
    expect(repository.pullEvents()).toEqual([]);
  });

  it('a concurrent change fails the flush with ConcurrencyError; the drained events are gone', async () => {
    const store = new InMemoryEventStore();
    await seed(store);
    const repository = new EventSourcedRepository(store, Account);
    const first = (await repository.getById(ACCOUNT_ID)) as Account;
    const second = (await repository.getById(ACCOUNT_ID)) as Account;
    first.deposit(1);
    second.deposit(2);
    await repository.save(first);
    await repository.flush(context);
    await repository.save(second);
    await expect(repository.flush({ ...context, commandId: 'cmd-2' })).rejects.toMatchObject({
      code: 'CONCURRENCY',
      expectedVersion: 1,
      actualVersion: 2,
    });
    expect(second.peekEvents()).toEqual([]);
    expect((await repository.getById(ACCOUNT_ID))?.balance.amount).toBe(1);
  });
});

describe('EventSourcedRepository: loading', () => {
  it('replays the stream: same state, version = stream length, no pending events', async () => {
    const store = new InMemoryEventStore();
    await seed(store, 3);
    const account = await new EventSourcedRepository(store, Account).getById(ACCOUNT_ID);
    expect(account).toBeInstanceOf(Account);
    expect(account?.balance.amount).toBe(3);
    expect(account?.version).toBe(4);
    expect(account?.peekEvents()).toEqual([]);
  });

  it('returns undefined for a missing stream', async () => {
    expect(
      await new EventSourcedRepository(new InMemoryEventStore(), Account).getById(OTHER_ID),
    ).toBeUndefined();
  });

  it('throws UnknownEventTypeError for a stored type the aggregate does not declare', async () => {
    const store = new InMemoryEventStore();
    await seed(store);
    const Stray = (await import('@pd/ddd')).DomainEvent('Stray', {});
    await store.appendToStream(stream, [new Stray({})], { expectedVersion: 1 });
    await expect(
      new EventSourcedRepository(store, Account).getById(ACCOUNT_ID),
    ).rejects.toBeInstanceOf(UnknownEventTypeError);
  });

  it('upcasts stored events before replaying them', async () => {
    const store = new InMemoryEventStore();
    await seed(store);
    const LegacyDeposit = (await import('@pd/ddd')).DomainEvent('LegacyDeposit', {
      cents: (await import('zod')).z.number(),
    });
    await store.appendToStream(stream, [new LegacyDeposit({ cents: 700 })], { expectedVersion: 1 });
    const upcaster = {
      upcast: (json: DomainEventJSON): DomainEventJSON =>
        json.type === 'LegacyDeposit'
          ? {
              ...json,
              type: 'MoneyDeposited',
              payload: { amount: Number(json.payload.cents) / 100 },
            }
          : json,
    };
    const account = await new EventSourcedRepository(store, Account, { upcaster }).getById(
      ACCOUNT_ID,
    );
    expect(account?.balance.amount).toBe(7);
  });
});

describe('EventSourcedRepository: delete', () => {
  it('tombstones the stream and deletes the snapshot at flush; the aggregate then loads as undefined', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new InMemorySnapshotStore();
    await seed(store);
    await snapshots.save(
      (
        (await new EventSourcedRepository(store, Account).getById(ACCOUNT_ID)) as Account
      ).toSnapshot(),
    );
    const repository = new EventSourcedRepository(store, Account, { snapshotStore: snapshots });
    await repository.delete(ACCOUNT_ID);
    expect(await repository.getById(ACCOUNT_ID)).toBeDefined();
    await repository.flush(context);
    expect(await repository.getById(ACCOUNT_ID)).toBeUndefined();
    expect((await store.getStreamMetadata(stream))?.deleted).toBe(true);
    expect(snapshots.size).toBe(0);
    await repository.delete(OTHER_ID);
    await expect(repository.flush(context)).resolves.toBeUndefined();
  });
});

describe('EventSourcedRepository: snapshots', () => {
  const every = (n: number): SnapshotPolicy => ({
    shouldSnapshot: ({ version, lastSnapshotVersion }) => version - lastSnapshotVersion >= n,
  });

  it('asks the policy with {version, newEvents, lastSnapshotVersion} and writes after the append', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new InMemorySnapshotStore();
    const shouldSnapshot = vi.fn(every(3).shouldSnapshot);
    const repository = new EventSourcedRepository(store, Account, {
      snapshotStore: snapshots,
      snapshotPolicy: { shouldSnapshot },
      clock,
    });
    const account = Account.open('ada', 'EUR', ACCOUNT_ID);
    account.deposit(1);
    account.deposit(1);
    await repository.save(account);
    expect(shouldSnapshot).toHaveBeenCalledWith({
      aggregateType: 'Account',
      aggregateId: ACCOUNT_ID,
      version: 3,
      newEvents: 3,
      lastSnapshotVersion: 0,
    });
    expect(await snapshots.get('Account', ACCOUNT_ID)).toBeUndefined();
    await repository.flush(context);
    await repository.afterCommit();
    expect(await snapshots.get('Account', ACCOUNT_ID)).toMatchObject({
      version: 3,
      schemaVersion: 1,
      createdAt: '2026-04-01T00:00:00.000Z',
    });

    const loaded = (await repository.getById(ACCOUNT_ID)) as Account;
    loaded.deposit(1);
    await repository.save(loaded);
    expect(shouldSnapshot).toHaveBeenLastCalledWith(
      expect.objectContaining({ version: 4, newEvents: 1, lastSnapshotVersion: 3 }),
    );
  });

  it('writes no snapshot when the append fails', async () => {
    const store = new InMemoryEventStore();
    await seed(store);
    const snapshots = new InMemorySnapshotStore();
    const repository = new EventSourcedRepository(store, Account, {
      snapshotStore: snapshots,
      snapshotPolicy: every(1),
    });
    await repository.save(Account.open('bob', 'EUR', ACCOUNT_ID));
    await expect(repository.flush(context)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(snapshots.size).toBe(0);
  });

  it('loads from the snapshot plus the tail, and never mutates the stored snapshot', async () => {
    const store = new InMemoryEventStore();
    const { spied, reads } = spyOn(store);
    const snapshots = new InMemorySnapshotStore();
    const repository = new EventSourcedRepository(spied, Account, {
      snapshotStore: snapshots,
      snapshotPolicy: every(3),
    });
    const account = Account.open('ada', 'EUR', ACCOUNT_ID);
    account.tag('a');
    account.deposit(2);
    await repository.save(account);
    await repository.flush(context);
    await repository.afterCommit();
    account.tag('b');
    await repository.save(account);
    await repository.flush({ ...context, commandId: 'cmd-2' });
    await repository.afterCommit();

    for (let round = 0; round < 2; round++) {
      const loaded = (await repository.getById(ACCOUNT_ID)) as Account;
      expect(loaded.tags).toEqual(['a', 'b']);
      expect(loaded.version).toBe(4);
    }
    expect(reads.at(-1)).toEqual({ streamId: stream, fromVersion: 3 });
    expect((await snapshots.get('Account', ACCOUNT_ID))?.state.tags).toEqual(['a']);
  });

  it('a snapshot of another schema version is not used (default rule), and the policy can decide', async () => {
    const { store, snapshots, real } = await seededWithSnapshot();
    await snapshots.save({
      ...real,
      schemaVersion: 7,
      state: { ...real.state, owner: 'from-snapshot' },
    });

    const strict = new EventSourcedRepository(store, Account, { snapshotStore: snapshots });
    expect((await strict.getById(ACCOUNT_ID))?.owner).toBe('ada');

    const lenient = new EventSourcedRepository(store, Account, {
      snapshotStore: snapshots,
      snapshotSchemaPolicy: { shouldUseSnapshot: (s, expected) => s.schemaVersion >= expected },
    });
    expect((await lenient.getById(ACCOUNT_ID))?.owner).toBe('from-snapshot');
  });

  it('ignores a snapshot ahead of its stream (left by rolled-back work) and replays fully', async () => {
    const store = new InMemoryEventStore();
    await seed(store);
    const snapshots = new InMemorySnapshotStore();
    const ghost: Snapshot = {
      ...Account.open('ghost', 'EUR', ACCOUNT_ID).toSnapshot(),
      version: 9,
    };
    await snapshots.save(ghost);
    const account = await new EventSourcedRepository(store, Account, {
      snapshotStore: snapshots,
    }).getById(ACCOUNT_ID);
    expect(account?.owner).toBe('ada');
    expect(account?.version).toBe(1);
  });

  it('a schema policy that rejects the snapshot by throwing a STALE_SNAPSHOT error fails the load', async () => {
    const { store, snapshots, real } = await seededWithSnapshot();
    await snapshots.save({ ...real, schemaVersion: 7 });
    // Any pd error with this code will do: the repository does not know who defines it.
    const stale = new DomainError('stale snapshot', { code: 'STALE_SNAPSHOT' });
    const onSnapshotError = vi.fn();
    const repository = new EventSourcedRepository(store, Account, {
      snapshotStore: snapshots,
      snapshotSchemaPolicy: {
        shouldUseSnapshot: (s, expected) => {
          if (s.schemaVersion !== expected) throw stale;
          return true;
        },
      },
      onSnapshotError,
    });
    await expect(repository.getById(ACCOUNT_ID)).rejects.toBe(stale);
    // The caller gets the error; it is not also reported as a best-effort failure.
    expect(onSnapshotError).not.toHaveBeenCalled();
  });

  it('any other error of the schema policy is reported and the stream replayed', async () => {
    const { store, snapshots, real } = await seededWithSnapshot();
    await snapshots.save(real);
    const onSnapshotError = vi.fn();
    const repository = new EventSourcedRepository(store, Account, {
      snapshotStore: snapshots,
      snapshotSchemaPolicy: {
        shouldUseSnapshot: () => {
          throw new Error('policy bug');
        },
      },
      onSnapshotError,
    });
    expect((await repository.getById(ACCOUNT_ID))?.version).toBe(3);
    expect(onSnapshotError.mock.calls.map(([e, c]) => [String(e), c.phase])).toEqual([
      ['Error: policy bug', 'load'],
    ]);
  });

  it('a snapshot that was loaded but not used does not count as the last snapshot taken', async () => {
    const { store, snapshots, real } = await seededWithSnapshot();
    const shouldSnapshot = vi.fn((_: { lastSnapshotVersion: number }) => false);
    const repository = new EventSourcedRepository(store, Account, {
      snapshotStore: snapshots,
      snapshotPolicy: { shouldSnapshot },
    });
    const lastSnapshotVersionAfterLoad = async (): Promise<number | undefined> => {
      const account = (await repository.getById(ACCOUNT_ID)) as Account;
      account.deposit(1);
      await repository.save(account);
      repository.discardEvents();
      return shouldSnapshot.mock.lastCall?.[0].lastSnapshotVersion;
    };

    // Of another schema version: rejected by the default rule.
    await snapshots.save({ ...real, schemaVersion: 7 });
    expect(await lastSnapshotVersionAfterLoad()).toBe(0);
    // Ahead of its stream (left by rolled-back work): ignored.
    await snapshots.save({ ...real, version: 9 });
    expect(await lastSnapshotVersionAfterLoad()).toBe(0);
    // Used: it counts.
    await snapshots.save(real);
    expect(await lastSnapshotVersionAfterLoad()).toBe(3);
  });

  it('snapshot failures are reported, never fail the load or the command', async () => {
    const store = new InMemoryEventStore();
    const failing: SnapshotStore = {
      save: async () => {
        throw new Error('disk full');
      },
      get: async () => {
        throw new Error('unreachable');
      },
    };
    const onSnapshotError = vi.fn();
    const repository = new EventSourcedRepository(store, Account, {
      snapshotStore: failing,
      snapshotPolicy: every(1),
      onSnapshotError,
    });
    await repository.save(Account.open('ada', 'EUR', ACCOUNT_ID));
    await expect(repository.flush(context)).resolves.toBeUndefined();
    await expect(repository.afterCommit()).resolves.toBeUndefined();
    expect(store.lastPosition).toBe(1);
    expect((await repository.getById(ACCOUNT_ID))?.owner).toBe('ada');
    expect(onSnapshotError.mock.calls.map(([e, c]) => [String(e), c.phase])).toEqual([
      ['Error: disk full', 'save'],
      ['Error: unreachable', 'load'],
    ]);
  });

  it('replays 10k events from the in-memory store (sanity, no timing)', async () => {
    const store = new InMemoryEventStore();
    const events = Array.from({ length: 10_000 }, () => new MoneyDeposited({ amount: 1 }));
    await seed(store);
    await store.appendToStream(stream, events, { expectedVersion: 1 });
    const account = await new EventSourcedRepository(store, Account).getById(ACCOUNT_ID);
    expect(account?.balance.amount).toBe(10_000);
    expect(account?.version).toBe(10_001);
  });
});
