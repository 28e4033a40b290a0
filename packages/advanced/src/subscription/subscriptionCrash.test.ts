// DONE-WHEN of issue #6: a subscription stopped mid-batch (handler throws, or the runner is
// abandoned part-way through a batch) delivers every event at least once when it resumes, and the
// final read model equals a fresh rebuild. Plus rebuild().
import { type SubscribableProjection, SubscriptionRunner } from '@pd/advanced';
import { InMemoryCheckpointStore, InMemoryEventStore, type StoredEvent } from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';
import { addItems, placeOrder, Stock } from './__fixtures__/events.js';
import { recordingSleep } from './__fixtures__/stores.js';

const quiet = { info() {}, warn() {}, error() {} };

async function history(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  await addItems(store, 'a', 7);
  await placeOrder(store, 'x', 100);
  await addItems(store, 'b', 7, 8);
  await placeOrder(store, 'y', 50);
  await addItems(store, 'a', 4, 15); // 20 events, positions 1..20
  return store;
}

async function freshRebuild(store: InMemoryEventStore): Promise<ReturnType<Stock['view']>> {
  const stock = new Stock();
  await stock.rebuild((await store.readAll({ limit: 10_000 })).events);
  return stock.view();
}

/** Counts deliveries per position and throws at `crashAt` (every time: this process is doomed). */
function crashing(
  stock: Stock,
  deliveries: Map<number, number>,
  crashAt: () => number,
): SubscribableProjection {
  return {
    name: stock.name,
    handledTypes: stock.handledTypes,
    apply: async (stored: StoredEvent) => {
      if (stored.globalPosition === crashAt()) throw new Error('process killed');
      deliveries.set(stored.globalPosition, (deliveries.get(stored.globalPosition) ?? 0) + 1);
      await stock.apply(stored);
    },
    rebuild: (events) => stock.rebuild(events),
  };
}

describe('crash mid-batch', () => {
  it('a projection whose handler throws mid-batch: every event arrives, state equals a fresh rebuild', async () => {
    const store = await history();
    const checkpoints = new InMemoryCheckpointStore();
    const stock = new Stock(); // the read model outlives the runner, as a database table would
    const deliveries = new Map<number, number>();

    const first = new SubscriptionRunner({
      eventStore: store,
      checkpointStore: checkpoints,
      batchSize: 8,
      onPoisonEvent: { retries: 0, onExhausted: 'stop' },
      sleep: recordingSleep(),
      logger: quiet,
    });
    first.subscribe({ handler: crashing(stock, deliveries, () => 13) });
    const [crashed] = await first.runOnce();
    expect(crashed?.halted?.event.globalPosition).toBe(13);
    expect(await checkpoints.load('stock')).toBe(12);

    // A new process: a new runner over the same checkpoint store and read model.
    const second = new SubscriptionRunner({
      eventStore: store,
      checkpointStore: checkpoints,
      batchSize: 8,
      sleep: recordingSleep(),
      logger: quiet,
    });
    second.subscribe({ handler: crashing(stock, deliveries, () => -1) });
    const [resumed] = await second.runOnce();
    expect(resumed).toMatchObject({ checkpoint: 20, halted: undefined });

    for (let position = 1; position <= 20; position += 1) {
      expect(deliveries.get(position) ?? 0).toBeGreaterThanOrEqual(1);
    }
    // Events 9..12 were delivered twice (the batch was retried), yet applied once.
    expect([...deliveries.values()].some((n) => n > 1)).toBe(true);
    expect(stock.applied).toBe(20);
    expect(stock.view()).toEqual(await freshRebuild(store));
  });

  it('a runner abandoned part-way through a batch: the next one redelivers it, nothing is lost', async () => {
    const store = await history();
    const checkpoints = new InMemoryCheckpointStore();
    // A read model that remembers the last position it applied, as the docs advise.
    const model = { lastPosition: 0, total: 0, deliveries: new Map<number, number>() };
    const apply = (events: readonly StoredEvent[], stopAt = Number.POSITIVE_INFINITY) => {
      for (const event of events) {
        if (event.globalPosition >= stopAt) return false;
        model.deliveries.set(
          event.globalPosition,
          (model.deliveries.get(event.globalPosition) ?? 0) + 1,
        );
        if (event.globalPosition <= model.lastPosition) continue;
        model.total += Number(event.payload.qty ?? event.payload.total);
        model.lastPosition = event.globalPosition;
      }
      return true;
    };

    const abandoned = new SubscriptionRunner({
      eventStore: store,
      checkpointStore: checkpoints,
      batchSize: 6,
      sleep: recordingSleep(),
      logger: quiet,
    });
    let hung = false;
    abandoned.subscribe({
      id: 'totals',
      handler: async (events) => {
        if (!apply(events, 10)) {
          hung = true;
          await new Promise<never>(() => {}); // the process dies here, mid-batch
        }
      },
    });
    void abandoned.runOnce();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(hung).toBe(true);
    expect(await checkpoints.load('totals')).toBe(6);

    const next = new SubscriptionRunner({
      eventStore: store,
      checkpointStore: checkpoints,
      batchSize: 6,
      sleep: recordingSleep(),
      logger: quiet,
    });
    next.subscribe({ id: 'totals', handler: (events) => void apply(events) });
    await next.runOnce();

    const expected = (await store.readAll()).events.reduce(
      (sum, e) => sum + Number(e.payload.qty ?? e.payload.total),
      0,
    );
    expect(model.total).toBe(expected);
    for (let position = 1; position <= 20; position += 1) {
      expect(model.deliveries.get(position) ?? 0).toBeGreaterThanOrEqual(1);
    }
    expect(model.deliveries.get(7)).toBe(2);
    expect(await checkpoints.load('totals')).toBe(20);
  });
});

describe('rebuild', () => {
  /** The stock projection caught up with the 20-event history, in pages of 7. */
  async function caughtUpStock() {
    const store = await history();
    const checkpoints = new InMemoryCheckpointStore();
    const stock = new Stock();
    const runner = new SubscriptionRunner({
      eventStore: store,
      checkpointStore: checkpoints,
      batchSize: 7,
      sleep: recordingSleep(),
      logger: quiet,
    });
    runner.subscribe({ handler: stock });
    await runner.runOnce();
    return { store, checkpoints, stock, runner };
  }

  it('resets the projection and the checkpoint, then replays the log from position 0', async () => {
    const { store, stock, runner } = await caughtUpStock();
    stock.quantities.set('s1', 999); // a bug corrupted the read model
    stock.orders = -1;

    const report = await runner.rebuild('stock');
    expect(report).toMatchObject({ subscriptionId: 'stock', delivered: 20, checkpoint: 20 });
    expect(stock.view()).toEqual(await freshRebuild(store));
    expect(stock.checkpoint).toBe(20);
  });

  it('replays fully after stop(): stopping ends the live loop, not explicit work', async () => {
    const { store, checkpoints, stock, runner } = await caughtUpStock();
    await runner.stop();
    stock.quantities.set('s1', 999); // a bug corrupted the read model

    // The reference reset the model and checkpoint, then replayed nothing: "delivered 0".
    const report = await runner.rebuild('stock');
    expect(report).toMatchObject({ delivered: 20, checkpoint: 20, halted: undefined });
    expect(stock.view()).toEqual(await freshRebuild(store));
    expect(await checkpoints.load('stock')).toBe(20);
    // Stopped still means stopped for the rest.
    expect(runner.stopped).toBe(true);
    expect((await runner.runOnce())[0]?.delivered).toBe(0);
  });

  it('calls the reset hook of a function subscription and refuses one without it', async () => {
    const store = await history();
    const runner = new SubscriptionRunner({
      eventStore: store,
      checkpointStore: new InMemoryCheckpointStore(),
      sleep: recordingSleep(),
      logger: quiet,
    });
    let rows: number[] = [];
    runner.subscribe({
      id: 'rows',
      handler: (events) => void rows.push(...events.map((e) => e.globalPosition)),
      reset: () => {
        rows = [];
      },
    });
    runner.subscribe({ id: 'no-reset', handler: () => {} });
    await runner.runOnce();
    await runner.rebuild('rows');
    expect(rows).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await expect(runner.rebuild('no-reset')).rejects.toMatchObject({
      code: 'REBUILD_UNSUPPORTED',
      subscriptionId: 'no-reset',
    });
  });

  it('clears a halt, so a fixed projection can be rebuilt past its old poison event', async () => {
    const store = await history();
    const stock = new Stock();
    const deliveries = new Map<number, number>();
    const runner = new SubscriptionRunner({
      eventStore: store,
      checkpointStore: new InMemoryCheckpointStore(),
      onPoisonEvent: { retries: 0 },
      sleep: recordingSleep(),
      logger: quiet,
    });
    let poison = 5;
    runner.subscribe({ handler: crashing(stock, deliveries, () => poison) });
    expect((await runner.runOnce())[0]?.halted).toBeDefined();
    poison = -1; // the bug is fixed
    const report = await runner.rebuild('stock');
    expect(report.halted).toBeUndefined();
    expect(stock.view()).toEqual(await freshRebuild(store));
  });
});
