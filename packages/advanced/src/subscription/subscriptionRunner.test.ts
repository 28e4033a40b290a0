import {
  InMemoryDeadLetterStore,
  SubscriptionRunner,
  type SubscriptionRunnerOptions,
} from '@pd/advanced';
import { FixedClock, isPdError } from '@pd/ddd';
import {
  EventSerializer,
  InMemoryCheckpointStore,
  InMemoryEventStore,
  type StoredEvent,
} from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';
import { addItems, ItemAdded, OrderPlaced, placeOrder, Stock } from './__fixtures__/events.js';
import { RowEventStore, recordingSleep } from './__fixtures__/stores.js';

const quiet = { info() {}, warn() {}, error() {} };

function setup(options: Partial<SubscriptionRunnerOptions> = {}) {
  const eventStore = options.eventStore ?? new RowEventStore({ positionStep: 1 });
  const checkpointStore = new InMemoryCheckpointStore();
  const sleep = recordingSleep();
  const runner = new SubscriptionRunner({
    checkpointStore,
    sleep,
    logger: quiet,
    ...options,
    eventStore,
  });
  return { eventStore, checkpointStore, sleep, runner };
}

const skus = (events: readonly StoredEvent[]) => events.map((e) => e.payload.sku);

describe('SubscriptionRunner: catch-up', () => {
  it('delivers every event in global order and saves the last global position as the checkpoint', async () => {
    const { eventStore, runner } = setup({ eventStore: new InMemoryEventStore() });
    await addItems(eventStore, 'a', 2);
    await placeOrder(eventStore, 'x', 10);
    await addItems(eventStore, 'b', 1, 3);
    const seen: StoredEvent[] = [];
    runner.subscribe({ id: 'all', handler: (events) => void seen.push(...events) });

    const [report] = await runner.runOnce();
    expect(seen.map((e) => e.type)).toEqual(['ItemAdded', 'ItemAdded', 'OrderPlaced', 'ItemAdded']);
    expect(seen.map((e) => e.globalPosition)).toEqual([1, 2, 3, 4]);
    expect(report).toMatchObject({
      subscriptionId: 'all',
      delivered: 4,
      checkpoint: 4,
      halted: undefined,
    });
    // Nothing new: nothing delivered again.
    expect((await runner.runOnce())[0]?.delivered).toBe(0);
    expect(seen).toHaveLength(4);
  });

  it('pages through the log: never more than batchSize events per read or per handler call (fix 10.4 #23)', async () => {
    const eventStore = new RowEventStore({ positionStep: 1 });
    const { runner } = setup({ eventStore, batchSize: 3 });
    await addItems(eventStore, 'a', 10);
    const batches: number[] = [];
    runner.subscribe({ id: 'all', handler: (events) => void batches.push(events.length) });
    await runner.runOnce();
    expect(batches).toEqual([3, 3, 3, 1]);
    expect(eventStore.maxReturned).toBe(3);
    expect(eventStore.reads.every((r) => r.options.limit === 3)).toBe(true);
  });

  it('a subscription batchSize overrides the runner default', async () => {
    const eventStore = new RowEventStore({ positionStep: 1 });
    const { runner } = setup({ eventStore, batchSize: 50 });
    await addItems(eventStore, 'a', 5);
    const batches: number[] = [];
    runner.subscribe({
      id: 'small',
      batchSize: 2,
      handler: (events) => void batches.push(events.length),
    });
    await runner.runOnce();
    expect(batches).toEqual([2, 2, 1]);
  });

  it('passes event-type and stream-category filters down to the store', async () => {
    const eventStore = new RowEventStore({ positionStep: 1 });
    const { runner } = setup({ eventStore });
    await addItems(eventStore, 'a', 2);
    await placeOrder(eventStore, 'x', 10);
    const byType: StoredEvent[] = [];
    const byCategory: StoredEvent[] = [];
    runner.subscribe({
      id: 'orders',
      eventTypes: [OrderPlaced],
      handler: (e) => void byType.push(...e),
    });
    runner.subscribe({
      id: 'carts',
      streamCategory: 'Cart',
      handler: (e) => void byCategory.push(...e),
    });
    await runner.runOnce();
    expect(byType.map((e) => e.type)).toEqual(['OrderPlaced']);
    expect(byCategory.map((e) => e.streamId)).toEqual(['Cart-a', 'Cart-a']);
    expect(eventStore.reads.some((r) => r.options.eventTypes?.join() === 'OrderPlaced')).toBe(true);
    expect(eventStore.reads.some((r) => r.options.streamCategory === 'Cart')).toBe(true);
  });

  it('checkpoints are global positions, not event counts: gaps and filtered events (fix 10.4 #23)', async () => {
    const eventStore = new RowEventStore({ positionStep: 10 }); // positions 10, 20, 30, 40
    const { runner, checkpointStore } = setup({ eventStore });
    await addItems(eventStore, 'a', 3);
    await placeOrder(eventStore, 'x', 1);
    await addItems(eventStore, 'a', 1, 4);
    const orders: StoredEvent[] = [];
    runner.subscribe({ id: 'all', handler: () => {} });
    runner.subscribe({
      id: 'orders',
      eventTypes: ['OrderPlaced'],
      handler: (e) => void orders.push(...e),
    });
    await runner.runOnce();
    // The reference saved 5 (the count) and 5 again for the filtered one.
    expect(await checkpointStore.load('all')).toBe(50);
    // The filtered subscription remembers every position examined, not only the one it handled.
    expect(await checkpointStore.load('orders')).toBe(50);
    expect(orders.map((e) => e.globalPosition)).toEqual([40]);
    // A later event is read from there: nothing is skipped, nothing repeated.
    await placeOrder(eventStore, 'y', 2);
    await runner.runOnce();
    expect(orders.map((e) => e.globalPosition)).toEqual([40, 60]);
  });

  it('each subscription reads from its own checkpoint: a halted one does not hold back the others', async () => {
    const eventStore = new RowEventStore({ positionStep: 1 });
    const { runner, checkpointStore } = setup({ eventStore, onPoisonEvent: { retries: 0 } });
    await addItems(eventStore, 'a', 4);
    runner.subscribe({
      id: 'stuck',
      handler: (events) => {
        if (events.some((e) => e.payload.sku === 's1')) throw new Error('poison');
      },
    });
    runner.subscribe({ id: 'healthy', handler: () => {} });
    await runner.runOnce();
    await addItems(eventStore, 'a', 2, 5);
    eventStore.reads.length = 0;
    await runner.runOnce();
    expect(await checkpointStore.load('stuck')).toBe(0);
    expect(await checkpointStore.load('healthy')).toBe(6);
    // Only the healthy subscription read, once, from its own checkpoint.
    expect(eventStore.reads.map((r) => r.options.fromPosition)).toEqual([4]);
    expect(eventStore.reads[0]?.returned).toBe(2);
  });

  it('hands deserialised domain events to a handler with `deserialize`, stored records alongside', async () => {
    const { eventStore, runner } = setup();
    await addItems(eventStore, 'a', 2);
    const serializer = new EventSerializer([ItemAdded, OrderPlaced]);
    const seen: { qty: number; position: number }[] = [];
    runner.subscribe({
      id: 'typed',
      deserialize: (e) => serializer.deserialize(e),
      handler: (events, { storedEvents }) => {
        events.forEach((event, i) => {
          if (event instanceof ItemAdded)
            seen.push({ qty: event.qty, position: storedEvents[i]?.globalPosition ?? -1 });
        });
      },
    });
    await runner.runOnce();
    expect(seen).toEqual([
      { qty: 1, position: 1 },
      { qty: 2, position: 2 },
    ]);
  });

  it('rejects a duplicate id, an unknown id, bad sizes and a skip policy without a dead-letter store', async () => {
    const { runner } = setup();
    runner.subscribe({ id: 'a', handler: () => {} });
    expect(() => runner.subscribe({ id: 'a', handler: () => {} })).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_SUBSCRIPTION_ID', subscriptionId: 'a' }),
    );
    await expect(runner.checkpoint('nope')).rejects.toMatchObject({ code: 'UNKNOWN_SUBSCRIPTION' });
    await expect(runner.rebuild('nope')).rejects.toMatchObject({ code: 'UNKNOWN_SUBSCRIPTION' });
    expect(() => runner.subscribe({ id: 'b', batchSize: 0, handler: () => {} })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'batchSize' }),
    );
    expect(() =>
      runner.subscribe({ id: 'c', onPoisonEvent: { onExhausted: 'skip' }, handler: () => {} }),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'deadLetters' }));
    expect(() =>
      runner.subscribe({ id: 'd', onPoisonEvent: { retries: -1 }, handler: () => {} }),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'retries' }));
    expect(runner.subscriptionIds).toEqual(['a']);
  });
});

describe('SubscriptionRunner: at-least-once and poison events', () => {
  it('saves the checkpoint only after the handler succeeded', async () => {
    const { eventStore, runner, checkpointStore } = setup();
    await addItems(eventStore, 'a', 3);
    const checkpointsSeen: number[] = [];
    runner.subscribe({
      id: 'p',
      handler: async () => {
        checkpointsSeen.push(await checkpointStore.load('p'));
      },
    });
    await runner.runOnce();
    expect(checkpointsSeen).toEqual([0]);
    expect(await checkpointStore.load('p')).toBe(3);
  });

  it('retries a failing batch event by event: a transient failure loses nothing', async () => {
    const { eventStore, runner, sleep } = setup({
      onPoisonEvent: { retries: 2, backoffMs: (n) => n * 100 },
    });
    await addItems(eventStore, 'a', 3);
    const delivered: unknown[] = [];
    let failures = 1;
    runner.subscribe({
      id: 'p',
      handler: (events) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('transient');
        }
        delivered.push(...skus(events));
      },
    });
    const [report] = await runner.runOnce();
    expect(delivered).toEqual(['s1', 's2', 's3']);
    expect(report).toMatchObject({ delivered: 3, checkpoint: 3, halted: undefined });
    expect(sleep.calls).toEqual([]);
  });

  it('skips a poison event into the dead-letter store once its retries are spent, then carries on (fix 10.4 #23)', async () => {
    const deadLetters = new InMemoryDeadLetterStore();
    const clock = new FixedClock('2026-03-01T12:00:00Z');
    const { eventStore, runner, sleep, checkpointStore } = setup({
      deadLetters,
      clock,
      onPoisonEvent: { retries: 2, backoffMs: (n) => 100 * 2 ** (n - 1), onExhausted: 'skip' },
    });
    await addItems(eventStore, 'a', 4);
    const delivered: unknown[] = [];
    const boom = new Error('cannot handle s2');
    runner.subscribe({
      id: 'p',
      handler: (events) => {
        if (events.some((e) => e.payload.sku === 's2')) throw boom;
        delivered.push(...skus(events));
      },
    });
    // One attempt per runOnce: the first two stop before s2 with retries left.
    for (const attempts of [1, 2]) {
      const [report] = await runner.runOnce();
      expect(report).toMatchObject({
        checkpoint: 1,
        deadLettered: 0,
        retrying: { attempts, error: boom, event: { globalPosition: 2 } },
      });
    }
    const [report] = await runner.runOnce();
    // The reference redelivered s2 forever and never reached s3, s4.
    expect(delivered).toEqual(['s1', 's3', 's4']);
    expect(report).toMatchObject({
      delivered: 2,
      deadLettered: 1,
      checkpoint: 4,
      retrying: undefined,
    });
    expect(sleep.calls).toEqual([]);
    expect(deadLetters.records('p')).toEqual([
      expect.objectContaining({
        subscriptionId: 'p',
        error: boom,
        attempts: 3,
        failedAt: new Date('2026-03-01T12:00:00Z'),
        event: expect.objectContaining({ globalPosition: 2, payload: { sku: 's2', qty: 2 } }),
      }),
    ]);
    expect(await checkpointStore.load('p')).toBe(4);
  });

  it("halts the subscription before a poison event with 'stop'; resume() tries it again", async () => {
    const { eventStore, runner, checkpointStore } = setup({
      onPoisonEvent: { retries: 1, backoffMs: () => 5 },
    });
    await addItems(eventStore, 'a', 3);
    const delivered: unknown[] = [];
    let broken = true;
    runner.subscribe({
      id: 'p',
      handler: (events) => {
        if (broken && events.some((e) => e.payload.sku === 's2')) throw new Error('bug');
        delivered.push(...skus(events));
      },
    });
    expect((await runner.runOnce())[0]).toMatchObject({
      halted: undefined,
      retrying: { attempts: 1 },
    });
    const [report] = await runner.runOnce();
    expect(delivered).toEqual(['s1']);
    expect(isPdError(report?.halted, 'SUBSCRIPTION_HALTED')).toBe(true);
    expect(report?.halted).toMatchObject({
      subscriptionId: 'p',
      attempts: 2,
      event: { globalPosition: 2 },
    });
    expect(report?.retrying).toBeUndefined();
    expect(await checkpointStore.load('p')).toBe(1);
    // Halted: nothing more is delivered until resumed.
    await runner.runOnce();
    expect(delivered).toEqual(['s1']);
    expect(runner.halted('p')?.code).toBe('SUBSCRIPTION_HALTED');

    broken = false;
    runner.resume('p');
    await runner.runOnce();
    expect(delivered).toEqual(['s1', 's2', 's3']);
    expect(runner.halted('p')).toBeUndefined();
  });

  it('remembers attempts across runOnce calls, and forgets them once the event goes through', async () => {
    const { eventStore, runner, sleep } = setup({ onPoisonEvent: { retries: 2 } });
    await addItems(eventStore, 'a', 3);
    const calls: string[][] = [];
    let failuresLeft = 3; // the first goes to the batch around s2
    runner.subscribe({
      id: 'p',
      handler: (events) => {
        calls.push(skus(events).map(String));
        if (events.some((e) => e.payload.sku === 's2') && failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('flaky');
        }
      },
    });
    expect((await runner.runOnce())[0]?.retrying?.attempts).toBe(1);
    // Two failures out of three attempts: it goes through on the last retry, with s3 after it.
    expect((await runner.runOnce())[0]?.retrying?.attempts).toBe(2);
    expect((await runner.runOnce())[0]).toMatchObject({
      delivered: 2,
      checkpoint: 3,
      halted: undefined,
      retrying: undefined,
    });
    // The batch once, then s1, s2 alone; then only s2 alone per call (no doomed batch around it).
    expect(calls).toEqual([['s1', 's2', 's3'], ['s1'], ['s2'], ['s2'], ['s2'], ['s3']]);
    expect(sleep.calls).toEqual([]);

    // A new failure later starts from a clean count.
    await addItems(eventStore, 'a', 1, 2);
    failuresLeft = 1;
    expect((await runner.runOnce())[0]?.retrying?.attempts).toBe(1);
  });

  it('does not retry an event that cannot be upcast: waiting cannot fix it', async () => {
    const deadLetters = new InMemoryDeadLetterStore();
    const upcaster = {
      upcast: <T extends { payload: Record<string, unknown> }>(event: T): T => {
        if (event.payload.sku === 's1') throw new Error('bad payload');
        return event;
      },
    };
    const { eventStore, runner, sleep } = setup({
      upcaster,
      deadLetters,
      onPoisonEvent: { retries: 5, onExhausted: 'skip' },
    });
    await addItems(eventStore, 'a', 2);
    const delivered: unknown[] = [];
    runner.subscribe({ id: 'p', handler: (events) => void delivered.push(...skus(events)) });
    await runner.runOnce();
    expect(delivered).toEqual(['s2']);
    expect(sleep.calls).toEqual([]);
    expect(deadLetters.records()).toEqual([expect.objectContaining({ attempts: 1 })]);
  });

  it('runOnce never sleeps, under the default policy too: a failing event waits for the next call (fix 10.4 #23)', async () => {
    const { eventStore, runner, sleep, checkpointStore } = setup();
    runner.subscribe({ id: 'idle', handler: () => {} });
    await runner.runOnce();
    await addItems(eventStore, 'a', 2);
    const down = new Error('down');
    runner.subscribe({
      id: 'failing',
      handler: () => {
        throw down;
      },
    });
    const healthy: unknown[] = [];
    runner.subscribe({ id: 'healthy', handler: (events) => void healthy.push(...skus(events)) });

    // Default policy: 3 retries. Each call makes one attempt and returns at once.
    for (const attempts of [1, 2, 3]) {
      const [, failing] = await runner.runOnce();
      expect(failing).toMatchObject({
        delivered: 0,
        checkpoint: 0,
        retrying: { attempts, error: down, event: { globalPosition: 1 } },
        halted: undefined,
      });
      // The others carry on in the same call.
      expect(healthy).toEqual(['s1', 's2']);
    }
    const reports = await runner.runOnce();
    expect(reports.map((r) => r.halted?.code)).toEqual([
      undefined,
      'SUBSCRIPTION_HALTED',
      undefined,
    ]);
    expect(reports[1]).toMatchObject({ halted: { attempts: 4, cause: down }, retrying: undefined });
    expect(await checkpointStore.load('failing')).toBe(0);
    expect(sleep.calls).toEqual([]);
  });

  it("a projection's unreadable payload is a handler failure, retried; a `deserialize` failure is not", async () => {
    const eventStore = new RowEventStore({ positionStep: 1 });
    const deadLetters = new InMemoryDeadLetterStore();
    const { runner } = setup({
      eventStore,
      deadLetters,
      onPoisonEvent: { retries: 1, onExhausted: 'skip' },
    });
    eventStore.addJson('Cart-a', {
      ...new ItemAdded({ sku: 's1', qty: 1 }).toJSON(),
      payload: { sku: 's1', qty: 'one' },
    });
    const serializer = new EventSerializer([ItemAdded, OrderPlaced]);
    runner.subscribe({ handler: new Stock() });
    runner.subscribe({
      id: 'typed',
      deserialize: (e) => serializer.deserialize(e),
      handler: () => {},
    });

    const [stock, typed] = await runner.runOnce();
    // The projection reads the payload inside `apply`: the runner cannot tell it from a handler bug.
    expect(stock).toMatchObject({ deadLettered: 0, retrying: { attempts: 1 } });
    expect(typed).toMatchObject({ deadLettered: 1, checkpoint: 1 });
    expect((await runner.runOnce())[0]).toMatchObject({ deadLettered: 1, checkpoint: 1 });
    expect(deadLetters.records().map((r) => [r.subscriptionId, r.attempts])).toEqual([
      ['typed', 1],
      ['stock', 2],
    ]);
  });

  it('runOnce throws when the store cannot be read, with the checkpoint untouched', async () => {
    const eventStore = new RowEventStore({ positionStep: 1 });
    const { runner, checkpointStore } = setup({ eventStore });
    await addItems(eventStore, 'a', 1);
    runner.subscribe({ id: 'p', handler: () => {} });
    eventStore.failNextReads = 1;
    await expect(runner.runOnce()).rejects.toThrow('database unavailable');
    expect(await checkpointStore.load('p')).toBe(0);
  });
});
