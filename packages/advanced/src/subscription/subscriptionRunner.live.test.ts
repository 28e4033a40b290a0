// run() / start() / stop(): live subscriptions woken by the store's notifier or by polling with
// back-off. Time is driven by hand through an injected sleep; nothing really waits.
import { SubscriptionRunner } from '@pd/advanced';
import { Application, type Worker } from '@pd/bus';
import { InMemoryCheckpointStore, InMemoryEventStore, type StoredEvent } from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';
import { addItems } from './__fixtures__/events.js';
import {
  manualSleep,
  NotifyingRowEventStore,
  RowEventStore,
  until,
} from './__fixtures__/stores.js';

const quiet = { info() {}, warn() {}, error() {} };

describe('SubscriptionRunner: live mode', () => {
  it('stop() before run() is honoured: run() returns at once and nothing is read (fix 10.4 #23)', async () => {
    const eventStore = new RowEventStore();
    await addItems(eventStore, 'a', 2);
    const runner = new SubscriptionRunner({
      eventStore,
      checkpointStore: new InMemoryCheckpointStore(),
      sleep: manualSleep(),
      logger: quiet,
    });
    const seen: StoredEvent[] = [];
    runner.subscribe({ id: 'p', handler: (events) => void seen.push(...events) });
    await runner.stop();
    // The reference's run() cleared the stop flag and processed anyway.
    await runner.run();
    runner.start();
    expect(await runner.runOnce()).toEqual([
      expect.objectContaining({ delivered: 0, checkpoint: 0 }),
    ]);
    expect(seen).toEqual([]);
    expect(eventStore.reads).toEqual([]);
    expect(runner.stopped).toBe(true);
  });

  it("wakes on the store's notifier, not on a timer, and unsubscribes when stopped", async () => {
    const eventStore = new NotifyingRowEventStore();
    const sleep = manualSleep();
    const runner = new SubscriptionRunner({
      eventStore,
      checkpointStore: new InMemoryCheckpointStore(),
      sleep,
      maxPollIntervalMs: 30_000,
      logger: quiet,
    });
    const seen: StoredEvent[] = [];
    runner.subscribe({ id: 'p', handler: (events) => void seen.push(...events) });
    runner.start();
    await until(() => sleep.pending === 1);
    // Nothing to do: it waits for a notification (with only a long safety poll).
    expect(sleep.calls).toEqual([30_000]);
    expect(eventStore.listenerCount).toBe(1);

    await addItems(eventStore, 'a', 2);
    await until(() => seen.length === 2);
    expect(seen.map((e) => e.payload.sku)).toEqual(['s1', 's2']);
    await until(() => sleep.pending === 1);

    await runner.stop();
    expect(sleep.pending).toBe(0);
    expect(eventStore.listenerCount).toBe(0);
    expect(await runner.checkpoint('p')).toBe(20);
  });

  it('without a notifier, polls with a doubling back-off that resets after progress', async () => {
    const eventStore = new RowEventStore();
    const sleep = manualSleep();
    const runner = new SubscriptionRunner({
      eventStore,
      checkpointStore: new InMemoryCheckpointStore(),
      sleep,
      pollIntervalMs: 100,
      maxPollIntervalMs: 350,
      logger: quiet,
    });
    const seen: StoredEvent[] = [];
    runner.subscribe({ id: 'p', handler: (events) => void seen.push(...events) });
    runner.start();
    for (const expected of [[100], [100, 200], [100, 200, 350], [100, 200, 350, 350]]) {
      await until(() => sleep.pending === 1 && sleep.calls.length === expected.length);
      expect(sleep.calls).toEqual(expected);
      if (expected.length < 4) sleep.wakeAll();
    }
    await addItems(eventStore, 'a', 1);
    sleep.wakeAll();
    await until(() => seen.length === 1);
    await until(() => sleep.pending === 1 && sleep.calls.length === 5);
    expect(sleep.calls.at(-1)).toBe(100);
    await runner.stop();
  });

  it('stop() during a batch lets that batch finish, saves its checkpoint and processes no more', async () => {
    const eventStore = new InMemoryEventStore();
    await addItems(eventStore, 'a', 6);
    const runner = new SubscriptionRunner({
      eventStore,
      checkpointStore: new InMemoryCheckpointStore(),
      sleep: manualSleep(),
      batchSize: 2,
      logger: quiet,
    });
    const batches: string[][] = [];
    runner.subscribe({
      id: 'p',
      handler: async (events) => {
        // Asked to stop mid-batch (not awaited: the loop is waiting for this handler).
        void runner.stop();
        await Promise.resolve();
        batches.push(events.map((e) => String(e.payload.sku)));
      },
    });
    await runner.run();
    expect(batches).toEqual([['s1', 's2']]);
    expect(await runner.checkpoint('p')).toBe(2);
  });

  it('logs a read failure and tries again after a pause instead of crashing', async () => {
    const eventStore = new RowEventStore();
    await addItems(eventStore, 'a', 1);
    eventStore.failNextReads = 1;
    const sleep = manualSleep();
    const errors: string[] = [];
    const runner = new SubscriptionRunner({
      eventStore,
      checkpointStore: new InMemoryCheckpointStore(),
      sleep,
      logger: { ...quiet, error: (message: string) => void errors.push(message) },
    });
    const seen: StoredEvent[] = [];
    runner.subscribe({ id: 'p', handler: (events) => void seen.push(...events) });
    runner.start();
    await until(() => sleep.pending === 1);
    expect(errors).toEqual(['Subscription read failed; retrying after a pause']);
    expect(seen).toEqual([]);
    sleep.wakeAll();
    await until(() => seen.length === 1);
    await runner.stop();
  });

  it('is a Worker: the Application starts it and stops it at shutdown', async () => {
    const eventStore = new InMemoryEventStore();
    const sleep = manualSleep();
    const runner = new SubscriptionRunner({
      eventStore,
      checkpointStore: new InMemoryCheckpointStore(),
      sleep,
      name: 'projections',
      logger: quiet,
    });
    const seen: StoredEvent[] = [];
    runner.subscribe({ id: 'p', handler: (events) => void seen.push(...events) });
    const worker: Worker = runner;
    const app = new Application({ workers: [worker], logger: { ...quiet } });
    await app.start();
    await addItems(eventStore, 'a', 3);
    await until(() => seen.length === 3);
    await app.shutdown();
    expect(runner.stopped).toBe(true);
    expect(sleep.pending).toBe(0);
  });
});
