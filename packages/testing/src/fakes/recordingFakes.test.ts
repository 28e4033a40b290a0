import { SagaState } from '@pd/advanced/saga';
import { FixedClock } from '@pd/ddd';
import {
  FakeCheckpointStore,
  FakeLockProvider,
  FakeMessageSubscriber,
  FakeOutbox,
  FakeProcessedCommandStore,
  FakeProjectionStore,
  FakeSagaRepository,
  FakeSnapshotStore,
} from '@pd/testing';
import { describe, expect, it } from 'vitest';
import { MoneyDeposited } from '../__fixtures__/bank.js';

const ctx = { commandId: 'cmd-1', correlationId: 'c', causationId: 'cmd-1' };

describe('recording fakes', () => {
  it('FakeCheckpointStore records saves and resets', async () => {
    const store = new FakeCheckpointStore();
    await store.save('a', 3);
    await store.save('a', 5);
    await store.reset('a');
    await expect(store.save('a', -1)).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(store.saves).toEqual([
      { subscriptionId: 'a', position: 3 },
      { subscriptionId: 'a', position: 5 },
    ]);
    expect(store.resets).toEqual(['a']);
    expect(await store.load('a')).toBe(0);
  });

  it('FakeSnapshotStore records copies of saved snapshots', async () => {
    const store = new FakeSnapshotStore();
    const snapshot = {
      aggregateType: 'A',
      aggregateId: '1',
      version: 2,
      state: { n: [1] },
      schemaVersion: 1,
      createdAt: 'x',
    };
    await store.save(snapshot);
    (snapshot.state.n as number[]).push(2);
    expect(store.saved.map((s) => s.state)).toEqual([{ n: [1] }]);
  });

  it('FakeProjectionStore records copies of saved states', async () => {
    const store = new FakeProjectionStore<{ total: number }>();
    await store.save('p', { total: 1 });
    await store.save('p', { total: 2 });
    expect(store.saves).toEqual([
      { projectionId: 'p', state: { total: 1 } },
      { projectionId: 'p', state: { total: 2 } },
    ]);
  });

  it('FakeProcessedCommandStore records claims with their outcome, completions and releases', async () => {
    const store = new FakeProcessedCommandStore();
    await store.claim('c1');
    await store.claim('c1');
    await store.complete('c1', { ok: 1 });
    await store.claim('c2');
    await store.release('c2');
    expect(store.calls).toEqual([
      { op: 'claim', commandId: 'c1', outcome: 'claimed' },
      { op: 'claim', commandId: 'c1', outcome: 'in-flight' },
      { op: 'complete', commandId: 'c1', result: { ok: 1 } },
      { op: 'claim', commandId: 'c2', outcome: 'claimed' },
      { op: 'release', commandId: 'c2' },
    ]);
  });

  it('FakeLockProvider records acquisitions, releases and timeouts in order', async () => {
    const locks = new FakeLockProvider();
    await locks.acquire('a');
    const waiter = locks.acquire('a');
    await locks.acquire('b');
    await expect(locks.acquire('b', { timeoutMs: 1 })).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
    });
    await locks.release('a');
    await waiter;
    await locks.release('a');
    await locks.release('b');
    await expect(locks.release('b')).rejects.toMatchObject({ code: 'LOCK_NOT_HELD' });
    expect(locks.events.map((e) => `${e.type}:${e.key}`)).toEqual([
      'acquired:a',
      'acquired:b',
      'timedOut:b',
      'released:a',
      'acquired:a',
      'released:a',
      'released:b',
    ]);
    expect([locks.acquired, locks.released]).toEqual([
      ['a', 'b', 'a'],
      ['a', 'a', 'b'],
    ]);
  });

  it('FakeOutbox records written events, claims, sends and failures', async () => {
    const outbox = new FakeOutbox({ leaseMs: 10 });
    const event = new MoneyDeposited({ amount: 1 });
    await outbox.write([event], ctx);
    await outbox.write([event], ctx);
    const t0 = new Date('2100-01-01');
    const [record] = await outbox.claim(10, t0);
    await outbox.markFailed(record?.id ?? '', 'down', new Date(t0.getTime() + 5));
    const [again] = await outbox.claim(10, new Date(t0.getTime() + 5));
    await outbox.markSent([again?.id ?? '']);
    expect(outbox.written.map((e) => e.eventId)).toEqual([event.eventId, event.eventId]);
    expect(outbox.claimed.map((r) => r.attempts)).toEqual([1, 2]);
    expect(outbox.failed.map((f) => f.error)).toEqual(['down']);
    expect(outbox.sent).toEqual([record?.id]);
    expect(outbox.pending()).toEqual([]);
  });

  it('FakeMessageSubscriber records deliveries and their outcomes, and still rejects unknown topics', async () => {
    const subscriber = new FakeMessageSubscriber();
    subscriber.subscribe('orders', async (payload) => {
      if ((payload as { bad?: boolean }).bad) throw new Error('poison');
    });
    await subscriber.start();
    await subscriber.deliver('orders', { id: 1 });
    await subscriber.deliver('orders', { bad: true });
    await expect(subscriber.deliver('nobody', {})).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC' });
    expect(subscriber.deliveries).toEqual([
      { topic: 'orders', payload: { id: 1 }, outcome: 'ack' },
      { topic: 'orders', payload: { bad: true }, outcome: 'nack' },
    ]);
  });

  it('FakeSagaRepository records each saved state and keeps optimistic concurrency', async () => {
    const repo = new FakeSagaRepository();
    const state = SagaState.create(
      { sagaType: 'S', correlationId: 'c' },
      { clock: new FixedClock(0) },
    );
    await repo.save(state);
    state.markRunning();
    await repo.save(state);
    const stale = SagaState.fromJSON({ ...state.toJSON(), version: 1 });
    await expect(repo.save(stale)).rejects.toMatchObject({ code: 'CONCURRENCY' });
    expect(repo.historyOf(state.id).map((s) => [s.version, s.status])).toEqual([
      [1, 'PENDING'],
      [2, 'RUNNING'],
    ]);
    expect(repo.saves).toHaveLength(2);
  });
});
