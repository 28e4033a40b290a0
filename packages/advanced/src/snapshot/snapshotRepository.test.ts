// The policies inside the event-sourced repository: when snapshots are written, which are used,
// and that snapshotting never fails a command (fix 10.4 #20).
import {
  AcceptOlderSnapshotPolicy,
  RejectStaleSnapshotPolicy,
  SnapshotThresholdPolicy,
  StaleSnapshotError,
} from '@pd/advanced';
import { InMemoryUnitOfWork } from '@pd/cqrs';
import { DomainEvent, isPdError } from '@pd/ddd';
import {
  EventSourcedAggregateRoot,
  EventSourcedRepository,
  InMemoryEventStore,
  InMemorySnapshotStore,
  type Snapshot,
  type SnapshotStore,
} from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const ID = '01890a5d-ac96-774b-bcce-b302099a8057';

class Ticked extends DomainEvent('Ticked', { by: z.number().int() }) {}

class Counter extends EventSourcedAggregateRoot(
  'Counter',
  { count: z.number().int().default(0) },
  { events: [Ticked], apply: { Ticked: (state, e) => ({ count: state.count + e.by }) } },
) {
  tick(times = 1): void {
    for (let i = 0; i < times; i += 1) this.record(new Ticked({ by: 1 }));
  }
}

class CounterV2 extends EventSourcedAggregateRoot(
  'Counter',
  { count: z.number().int().default(0) },
  { events: [Ticked], apply: { Ticked: (state, e) => ({ count: state.count + e.by }) } },
) {
  static override readonly snapshotSchemaVersion = 2;

  tick(times = 1): void {
    for (let i = 0; i < times; i += 1) this.record(new Ticked({ by: 1 }));
  }
}

/** Records every save and get; optionally fails saves. */
class SpySnapshotStore implements SnapshotStore {
  readonly inner = new InMemorySnapshotStore();
  readonly saved: number[] = [];
  failSaves = false;

  async save(snapshot: Snapshot): Promise<void> {
    if (this.failSaves) throw new Error('snapshot store down');
    this.saved.push(snapshot.version);
    await this.inner.save(snapshot);
  }

  get(aggregateType: string, aggregateId: string): Promise<Snapshot | undefined> {
    return this.inner.get(aggregateType, aggregateId);
  }
}

async function commit(
  repository: EventSourcedRepository<Counter> | EventSourcedRepository<CounterV2>,
  work: () => Promise<void>,
): Promise<void> {
  const uow = new InMemoryUnitOfWork();
  await uow.begin({ commandId: null, correlationId: null, causationId: null });
  uow.enlist(repository);
  await work();
  await uow.commit();
}

describe('snapshot policies in the EventSourcedRepository', () => {
  it('a save of 9 then 2 events snapshots at version 11 with N = 10', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new SpySnapshotStore();
    const options = {
      snapshotStore: snapshots,
      snapshotPolicy: new SnapshotThresholdPolicy(10),
      onSnapshotError: () => {},
    };
    const repository = new EventSourcedRepository(store, Counter, options);
    const counter = new Counter({ id: ID });
    counter.tick(9);
    await commit(repository, () => repository.save(counter));
    expect(snapshots.saved).toEqual([]);
    const loaded = await repository.getById(ID);
    loaded?.tick(2);
    await commit(repository, () => repository.save(loaded as Counter));
    expect(snapshots.saved).toEqual([11]);
  });

  it('a stale snapshot is ignored and the aggregate is rebuilt by full replay', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new InMemorySnapshotStore();
    const writer = new EventSourcedRepository(store, Counter, {
      snapshotStore: snapshots,
      snapshotPolicy: new SnapshotThresholdPolicy(1),
    });
    const counter = new Counter({ id: ID });
    counter.tick(3);
    await commit(writer, () => writer.save(counter));
    expect((await snapshots.get('Counter', ID))?.schemaVersion).toBe(1);
    // Corrupt the stored v1 snapshot so that using it would show.
    const stale = await snapshots.get('Counter', ID);
    await snapshots.save({ ...(stale as Snapshot), state: { count: 1000 } });

    const reader = new EventSourcedRepository(store, CounterV2, {
      snapshotStore: snapshots,
      snapshotSchemaPolicy: new RejectStaleSnapshotPolicy(),
    });
    expect((await reader.getById(ID))?.count).toBe(3);
    // The policy decides: one that accepts older snapshots uses it (and shows the corrupted state).
    const lenient = new EventSourcedRepository(store, CounterV2, {
      snapshotStore: snapshots,
      snapshotSchemaPolicy: new AcceptOlderSnapshotPolicy(),
    });
    expect((await lenient.getById(ID))?.count).toBe(1000);
  });

  it("in strict mode ('throw') a stale snapshot fails the load with StaleSnapshotError", async () => {
    const store = new InMemoryEventStore();
    const snapshots = new InMemorySnapshotStore();
    const writer = new EventSourcedRepository(store, Counter, {
      snapshotStore: snapshots,
      snapshotPolicy: new SnapshotThresholdPolicy(0),
    });
    const counter = new Counter({ id: ID });
    counter.tick(2);
    await commit(writer, () => writer.save(counter));
    const reported: unknown[] = [];
    const strict = (onStale: 'throw' | 'replay') =>
      new EventSourcedRepository(store, CounterV2, {
        snapshotStore: snapshots,
        snapshotSchemaPolicy: new RejectStaleSnapshotPolicy({ onStale }),
        onSnapshotError: (error) => reported.push(error),
      });
    const error = await strict('throw')
      .getById(ID)
      .catch((e: unknown) => e);
    expect(isPdError(error, 'STALE_SNAPSHOT')).toBe(true);
    expect(error).toBeInstanceOf(StaleSnapshotError);
    expect(error).toMatchObject({
      aggregateType: 'Counter',
      aggregateId: ID,
      snapshotSchemaVersion: 1,
      expectedSchemaVersion: 2,
    });
    // AcceptOlderSnapshotPolicy throws the same way for a snapshot from a newer deployment.
    const older = new EventSourcedRepository(store, Counter, {
      snapshotStore: snapshots,
      snapshotSchemaPolicy: new AcceptOlderSnapshotPolicy({ onStale: 'throw' }),
    });
    await snapshots.save({
      ...((await snapshots.get('Counter', ID)) as Snapshot),
      schemaVersion: 3,
    });
    await expect(older.getById(ID)).rejects.toBeInstanceOf(StaleSnapshotError);
    // 'replay' (the default) ignores it silently and replays.
    expect((await strict('replay').getById(ID))?.count).toBe(2);
    expect(reported).toEqual([]);
  });

  it('in strict mode, other snapshot problems stay best-effort: reported, then a full replay', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new InMemorySnapshotStore();
    const writer = new EventSourcedRepository(store, CounterV2, {
      snapshotStore: snapshots,
      snapshotPolicy: new SnapshotThresholdPolicy(0),
    });
    const counter = new CounterV2({ id: ID });
    counter.tick(2);
    await commit(writer, () => writer.save(counter));
    // Of the right schema version, but its state does not pass the aggregate's schema.
    const good = (await snapshots.get('Counter', ID)) as Snapshot;
    await snapshots.save({ ...good, state: { count: 'many' } });
    const reported: unknown[] = [];
    const reader = new EventSourcedRepository(store, CounterV2, {
      snapshotStore: snapshots,
      snapshotSchemaPolicy: new RejectStaleSnapshotPolicy({ onStale: 'throw' }),
      onSnapshotError: (error) => reported.push(error),
    });
    expect((await reader.getById(ID))?.count).toBe(2);
    expect(reported).toHaveLength(1);
    expect(isPdError(reported[0], 'STALE_SNAPSHOT')).toBe(false);
  });

  it('a stale snapshot is replaced once the threshold is reached from the start, not from its version', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new SpySnapshotStore();
    const writer = new EventSourcedRepository(store, Counter, {
      snapshotStore: snapshots,
      snapshotPolicy: new SnapshotThresholdPolicy(10),
    });
    const counter = new Counter({ id: ID });
    counter.tick(10);
    await commit(writer, () => writer.save(counter));
    expect(snapshots.saved).toEqual([10]);

    const reader = new EventSourcedRepository(store, CounterV2, {
      snapshotStore: snapshots,
      snapshotPolicy: new SnapshotThresholdPolicy(10),
      snapshotSchemaPolicy: new RejectStaleSnapshotPolicy(),
    });
    const loaded = (await reader.getById(ID)) as CounterV2;
    loaded.tick();
    await commit(reader, () => reader.save(loaded));
    // The v1 snapshot was not used, so 11 events count since the last usable one: a v2 snapshot.
    expect(snapshots.saved).toEqual([10, 11]);
    expect((await snapshots.get('Counter', ID))?.schemaVersion).toBe(2);
  });

  it('a failing snapshot store after a successful append never fails the command', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new SpySnapshotStore();
    snapshots.failSaves = true;
    const reported: unknown[] = [];
    const repository = new EventSourcedRepository(store, Counter, {
      snapshotStore: snapshots,
      snapshotPolicy: new SnapshotThresholdPolicy(1),
      onSnapshotError: (error) => reported.push(error),
    });
    const counter = new Counter({ id: ID });
    counter.tick(4);
    await expect(commit(repository, () => repository.save(counter))).resolves.toBeUndefined();
    expect((await store.readStream(`Counter-${ID}`)).version).toBe(4);
    expect(reported).toHaveLength(1);
    expect((await repository.getById(ID))?.count).toBe(4);
  });
});
