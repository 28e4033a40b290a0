import {
  EventRegistry,
  InMemoryDeadLetterSink,
  InMemoryOutbox,
  MessageBus,
  messageBusPublisher,
  type Outbox,
  type OutboxRecord,
  OutboxRelay,
  type Sleep,
} from '@pd/bus';
import { FixedClock, InMemoryRepository } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import {
  type Order,
  OrderPlaced,
  PlaceOrder,
  recordingLogger,
  shopHandlers,
} from '../testSupport/shop.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const ctx = { commandId: 'cmd', correlationId: 'corr', causationId: 'cmd' };

async function filledOutbox(n: number, leaseMs = 10_000): Promise<InMemoryOutbox> {
  const outbox = new InMemoryOutbox({ leaseMs });
  await outbox.write(
    Array.from({ length: n }, (_, i) => new OrderPlaced({ orderId: `o-${i + 1}`, total: i })),
    ctx,
  );
  return outbox;
}

describe('OutboxRelay.runOnce', () => {
  it('publishes a batch in order, marks it sent and reports counts', async () => {
    const outbox = await filledOutbox(3);
    const published: string[] = [];
    const relay = new OutboxRelay(
      outbox,
      async (r) => void published.push(r.event.payload.orderId as string),
      {
        batchSize: 2,
        clock: new FixedClock(T0),
        logger: recordingLogger(),
      },
    );
    expect(await relay.runOnce()).toEqual({ claimed: 2, sent: 2, retried: 0, deadLettered: 0 });
    expect(await relay.runOnce()).toEqual({ claimed: 1, sent: 1, retried: 0, deadLettered: 0 });
    expect(await relay.runOnce()).toEqual({ claimed: 0, sent: 0, retried: 0, deadLettered: 0 });
    expect(published).toEqual(['o-1', 'o-2', 'o-3']);
    expect(outbox.pending()).toEqual([]);
  });

  it('retries a failed publish after retryDelayMs(attempt), and gives up after maxAttempts into the dead-letter sink', async () => {
    const outbox = await filledOutbox(1);
    const clock = new FixedClock(T0);
    const dead = new InMemoryDeadLetterSink();
    const logger = recordingLogger();
    const relay = new OutboxRelay(
      outbox,
      async () => {
        throw new Error('broker down');
      },
      {
        clock,
        retryDelayMs: (attempt) => attempt * 1000,
        maxAttempts: 3,
        deadLetter: dead,
        logger,
      },
    );
    expect(await relay.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    expect(await relay.runOnce()).toMatchObject({ claimed: 0 }); // not due yet
    clock.advance(1000);
    expect(await relay.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    clock.advance(1999);
    expect(await relay.runOnce()).toMatchObject({ claimed: 0 });
    clock.advance(1);
    expect(await relay.runOnce()).toEqual({ claimed: 1, sent: 0, retried: 0, deadLettered: 1 });
    expect(outbox.pending()).toEqual([]);
    expect(outbox.dead().map((r) => [r.attempts, r.lastError])).toEqual([[3, 'broker down']]);
    expect(dead.records).toEqual([
      expect.objectContaining({ source: 'outbox-relay', attempts: 3, failedAt: clock.now() }),
    ]);
    expect(logger.lines.map((l) => l.level)).toEqual(['warn', 'warn', 'error']);
  });

  it('one failing record does not hold back the others in its batch', async () => {
    const outbox = await filledOutbox(3);
    const relay = new OutboxRelay(
      outbox,
      async (r) => {
        if (r.event.payload.orderId === 'o-2') throw new Error('bad');
      },
      { clock: new FixedClock(T0), logger: recordingLogger() },
    );
    expect(await relay.runOnce()).toEqual({ claimed: 3, sent: 2, retried: 1, deadLettered: 0 });
    expect(outbox.pending().map((r) => r.event.payload.orderId)).toEqual(['o-2']);
  });
});

describe('OutboxRelay: at-least-once across crashes (inventory §10.1 #2)', () => {
  function wiredShop(leaseMs: number) {
    const outbox = new InMemoryOutbox({ leaseMs });
    const orders = new InMemoryRepository<Order>();
    const h = shopHandlers(orders, outbox);
    const registry = new EventRegistry().registerEvent(OrderPlaced);
    const bus = new MessageBus({
      deliverAfterCommit: false,
      errorPolicy: 'collect',
      logger: recordingLogger(),
    });
    bus.registerCommand(PlaceOrder, h.placeOrder, { uow: h.uow });
    const delivered: string[] = [];
    bus.on(OrderPlaced, (e) => void delivered.push(e.eventId));
    return { outbox, bus, registry, delivered };
  }

  it('a relay killed between commit and publish (after claim) loses nothing: a new relay delivers after the lease', async () => {
    const { outbox, bus, registry, delivered } = wiredShop(5000);
    const { events } = await bus.dispatch(new PlaceOrder({ orderId: 'o-1', total: 1 }));
    expect(delivered).toEqual([]); // committed, not yet published
    const crashing: Outbox = {
      write: (e, c) => outbox.write(e, c),
      claim: async (n, now) => {
        await outbox.claim(n, now);
        throw new Error('process killed');
      },
      markSent: (ids) => outbox.markSent(ids),
      markFailed: (id, e, r) => outbox.markFailed(id, e, r),
    };
    const clock = new FixedClock(T0);
    await expect(
      new OutboxRelay(crashing, messageBusPublisher(bus, registry), { clock }).runOnce(),
    ).rejects.toThrow('process killed');
    const restarted = new OutboxRelay(outbox, messageBusPublisher(bus, registry), { clock });
    expect(await restarted.runOnce()).toMatchObject({ claimed: 0 }); // still leased by the dead relay
    clock.advance(5000);
    expect(await restarted.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(delivered).toEqual([events[0]?.eventId]);
  });

  it('a relay killed after publishing but before markSent delivers again: the same event id, so consumers dedupe', async () => {
    const { outbox, bus, registry, delivered } = wiredShop(5000);
    const { events } = await bus.dispatch(new PlaceOrder({ orderId: 'o-1', total: 1 }));
    const crashing: Outbox = {
      write: (e, c) => outbox.write(e, c),
      claim: (n, now) => outbox.claim(n, now),
      markSent: async () => {
        throw new Error('process killed');
      },
      markFailed: (id, e, r) => outbox.markFailed(id, e, r),
    };
    const clock = new FixedClock(T0);
    await expect(
      new OutboxRelay(crashing, messageBusPublisher(bus, registry), { clock }).runOnce(),
    ).rejects.toThrow();
    clock.advance(5000);
    await new OutboxRelay(outbox, messageBusPublisher(bus, registry), { clock }).runOnce();
    const id = events[0]?.eventId;
    expect(delivered).toEqual([id, id]);
    expect(new Set(delivered).size).toBe(1);
    expect(outbox.pending()).toEqual([]);
  });

  it('a handler failure (collect policy) makes the relay retry the record', async () => {
    const { outbox, bus, registry } = wiredShop(5000);
    let fail = true;
    bus.on(OrderPlaced, () => {
      if (fail) throw new Error('projection down');
    });
    await bus.dispatch(new PlaceOrder({ orderId: 'o-1', total: 1 }));
    const clock = new FixedClock(T0);
    const relay = new OutboxRelay(outbox, messageBusPublisher(bus, registry), {
      clock,
      retryDelayMs: () => 10,
      logger: recordingLogger(),
    });
    expect(await relay.runOnce()).toMatchObject({ retried: 1 });
    fail = false;
    clock.advance(10);
    expect(await relay.runOnce()).toMatchObject({ sent: 1 });
  });
});

describe('OutboxRelay as a Worker', () => {
  function controlledSleep() {
    const waits: number[] = [];
    let wake: (() => void) | undefined;
    const sleep: Sleep = (ms, signal) =>
      new Promise<void>((resolve) => {
        waits.push(ms);
        wake = resolve;
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    return { sleep, waits, tick: () => wake?.() };
  }

  it('start() polls (sleeping pollIntervalMs when drained) until stop()', async () => {
    const outbox = await filledOutbox(1);
    const published: OutboxRecord[] = [];
    const { sleep, waits, tick } = controlledSleep();
    const relay = new OutboxRelay(outbox, async (r) => void published.push(r), {
      pollIntervalMs: 250,
      sleep,
      clock: new FixedClock(T0),
    });
    relay.start();
    expect(relay.running).toBe(true);
    await flushUntil(() => waits.length === 1);
    expect(published).toHaveLength(1);
    await outbox.write([new OrderPlaced({ orderId: 'late', total: 1 })], ctx);
    tick();
    await flushUntil(() => waits.length === 2);
    expect(published.map((r) => r.event.payload.orderId)).toEqual(['o-1', 'late']);
    await relay.stop();
    expect(relay.running).toBe(false);
    expect(waits).toEqual([250, 250]);
  });

  it('stop() before start() is honoured: the relay never runs', async () => {
    const outbox = await filledOutbox(1);
    let calls = 0;
    const relay = new OutboxRelay(outbox, async () => void calls++, {
      sleep: controlledSleep().sleep,
    });
    await relay.stop();
    relay.start();
    await relay.stop();
    expect(calls).toBe(0);
    expect(outbox.pending()).toHaveLength(1);
  });

  it('keeps polling after a failed round, logging it', async () => {
    const logger = recordingLogger();
    let claims = 0;
    const outbox: Outbox = {
      write: async () => undefined,
      claim: async () => {
        claims++;
        if (claims === 1) throw new Error('db down');
        return [];
      },
      markSent: async () => undefined,
      markFailed: async () => undefined,
    };
    const { sleep, waits, tick } = controlledSleep();
    const relay = new OutboxRelay(outbox, async () => undefined, { sleep, logger });
    relay.start();
    await flushUntil(() => waits.length === 1);
    tick();
    await flushUntil(() => waits.length === 2);
    await relay.stop();
    expect(claims).toBe(2);
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'error', message: expect.stringContaining('round failed') }),
    ]);
  });
});

/** Lets queued microtasks run until `done()` holds (no timers involved). */
async function flushUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await Promise.resolve();
  if (!done()) throw new Error('condition never held');
}
