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

/** A runner on a notifying store, waiting through a manual `sleep`; the safety poll is 30 s. */
function notifiedRunner() {
  const eventStore = new NotifyingRowEventStore();
  const sleep = manualSleep();
  const runner = new SubscriptionRunner({
    eventStore,
    checkpointStore: new InMemoryCheckpointStore(),
    sleep,
    maxPollIntervalMs: 30_000,
    logger: quiet,
  });
  return { eventStore, sleep, runner };
}

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
    const { eventStore, sleep, runner } = notifiedRunner();
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

  it('a poisoned subscription in retry back-off does not hold up a healthy one', async () => {
    const { eventStore, sleep, runner } = notifiedRunner();
    let poisonedCalls = 0;
    runner.subscribe({
      id: 'poisoned',
      onPoisonEvent: { retries: Number.POSITIVE_INFINITY, backoffMs: () => 1_000 },
      handler: () => {
        poisonedCalls += 1;
        throw new Error('always fails');
      },
    });
    const healthy: StoredEvent[] = [];
    runner.subscribe({ id: 'healthy', handler: (events) => void healthy.push(...events) });
    runner.start();
    await until(() => sleep.pending === 2);

    await addItems(eventStore, 'a', 2);
    // The poisoned one waits out its back-off (never woken here); the healthy one is not held up.
    await until(() => healthy.length === 2);
    await until(() => sleep.calls.includes(1_000));
    await addItems(eventStore, 'a', 1, 3);
    await until(() => healthy.length === 3);
    expect(await runner.checkpoint('healthy')).toBe(30);
    expect(await runner.checkpoint('poisoned')).toBe(0);

    // Waking the back-off retries it; stop() ends both loops, the one in back-off too.
    const callsBefore = poisonedCalls;
    sleep.wakeAll();
    await until(() => poisonedCalls > callsBefore);
    await runner.stop();
    expect(sleep.pending).toBe(0);
    expect(runner.halted('poisoned')).toBeUndefined();
  });

  it('run() waits backoffMs between the retries of a failing event, and delivers it once it passes', async () => {
    const eventStore = new RowEventStore();
    await addItems(eventStore, 'a', 1);
    const sleep = manualSleep();
    const runner = new SubscriptionRunner({
      eventStore,
      checkpointStore: new InMemoryCheckpointStore(),
      sleep,
      onPoisonEvent: { retries: 3, backoffMs: (n) => n * 1_000 },
      logger: quiet,
    });
    let failuresLeft = 2;
    const seen: StoredEvent[] = [];
    runner.subscribe({
      id: 'p',
      handler: (events) => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('flaky');
        }
        seen.push(...events);
      },
    });
    runner.start();
    for (const expected of [[1_000], [1_000, 2_000]]) {
      await until(() => sleep.pending === 1 && sleep.calls.length === expected.length);
      expect(sleep.calls).toEqual(expected);
      sleep.wakeAll();
    }
    await until(() => seen.length === 1);
    // Then it idles, polling.
    await until(() => sleep.pending === 1 && sleep.calls.length === 3);
    expect(sleep.calls.at(-1)).toBe(100);
    await runner.stop();
    expect(await runner.checkpoint('p')).toBe(10);
  });

  it('a subscription added while run() is going gets its own loop', async () => {
    const eventStore = new NotifyingRowEventStore();
    await addItems(eventStore, 'a', 2);
    const sleep = manualSleep();
    const runner = new SubscriptionRunner({
      eventStore,
      checkpointStore: new InMemoryCheckpointStore(),
      sleep,
      logger: quiet,
    });
    runner.subscribe({ id: 'first', handler: () => {} });
    runner.start();
    await until(() => sleep.pending === 1);
    const late: StoredEvent[] = [];
    runner.subscribe({ id: 'late', handler: (events) => void late.push(...events) });
    await until(() => late.length === 2);
    await addItems(eventStore, 'a', 1, 3);
    await until(() => late.length === 3);
    await runner.stop();
    expect(sleep.pending).toBe(0);
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
