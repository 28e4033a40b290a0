import {
  MaxAgeRetentionPolicy,
  Saga,
  SagaRecoveryWorker,
  SagaRetentionWorker,
  SagaStatus,
  SagaTimeoutWorker,
} from '@pd/advanced/saga';
import { Application, type Sleep } from '@pd/bus';
import { describe, expect, it } from 'vitest';
import {
  harness,
  MemoryLogger,
  OrderPlaced,
  orderPlaced,
  RequestApproval,
} from './testSupport/orderFulfilment.js';

class Waiting extends Saga {
  static override readonly sagaType = 'Waiting';
  static override readonly listensTo = [OrderPlaced];
  protected override configure(): void {
    this.on(OrderPlaced, {
      send: (e) => new RequestApproval({ orderId: e.orderId }),
      suspend: true,
      suspendTimeout: 1_000,
    });
  }
}

/** A sleep the test releases by hand; it records the requested pauses and resolves on abort. */
function manualSleep() {
  const pauses: number[] = [];
  let wake: (() => void) | undefined;
  let asleep: () => void = () => undefined;
  let onSleep = new Promise<void>((r) => {
    asleep = r;
  });
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      pauses.push(ms);
      wake = resolve;
      signal?.addEventListener('abort', () => resolve(), { once: true });
      asleep();
    });
  return {
    sleep,
    pauses,
    /** Resolves once the worker is sleeping (then re-arms). */
    sleeping: async () => {
      await onSleep;
      onSleep = new Promise<void>((r) => {
        asleep = r;
      });
    },
    wake: () => wake?.(),
  };
}

async function expiredSaga() {
  const h = harness({ sagas: [Waiting] });
  await h.manager.handle(orderPlaced());
  h.clock.advance(1_000);
  return h;
}

describe('SagaTimeoutWorker', () => {
  it('processes due timeouts each round, sleeping the interval in between, until stopped', async () => {
    const h = await expiredSaga();
    const sleeper = manualSleep();
    const worker = new SagaTimeoutWorker(h.manager, {
      intervalMs: 250,
      sleep: sleeper.sleep,
      logger: h.logger,
    });
    expect(worker.name).toBe('saga-timeouts');
    worker.start();
    expect(worker.running).toBe(true);
    await sleeper.sleeping();
    expect((await h.repository.findByCorrelationId('order-1', 'Waiting'))?.status).toBe(
      SagaStatus.FAILED,
    );
    expect(sleeper.pauses).toEqual([250]);

    sleeper.wake();
    await sleeper.sleeping();
    expect(sleeper.pauses).toEqual([250, 250]);
    await worker.stop();
    expect(worker.running).toBe(false);
  });

  it('never runs when stopped before it was started', async () => {
    const h = await expiredSaga();
    const sleeper = manualSleep();
    const worker = new SagaTimeoutWorker(h.manager, { sleep: sleeper.sleep });
    await worker.stop();
    worker.start();
    expect(worker.running).toBe(false);
    await worker.stop();
    expect(sleeper.pauses).toEqual([]);
    expect((await h.repository.findByCorrelationId('order-1', 'Waiting'))?.status).toBe(
      SagaStatus.SUSPENDED,
    );
  });

  it('rejects a nonsensical batch size', () => {
    const h = harness();
    expect(() => new SagaTimeoutWorker(h.manager, { batchSize: 0 })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
  });
});

describe('SagaRecoveryWorker', () => {
  it('runs under an Application: started with it, recovering stalled sagas, stopped with it', async () => {
    let down = true;
    const h = harness({ reactions: { ReserveStock: () => (down ? new Error('offline') : []) } });
    await h.manager.handle(orderPlaced());
    expect((await h.repository.findStalled()).length).toBe(1);
    down = false;

    const sleeper = manualSleep();
    const worker = new SagaRecoveryWorker(h.manager, { sleep: sleeper.sleep, name: 'recovery' });
    const app = new Application({ workers: [worker], logger: new MemoryLogger() });
    await app.start();
    await sleeper.sleeping();
    expect(sleeper.pauses).toEqual([5_000]);
    expect(await h.repository.findStalled()).toEqual([]);
    expect((await h.repository.findByCorrelationId('order-1', 'OrderFulfilment'))?.status).toBe(
      SagaStatus.RUNNING,
    );

    await app.shutdown();
    expect(worker.running).toBe(false);
  });

  it('runOnce reports the batch without sleeping', async () => {
    const h = harness({ reactions: { ReserveStock: () => new Error('offline') } });
    await h.manager.handle(orderPlaced());
    const worker = new SagaRecoveryWorker(h.manager, {
      sleep: () => Promise.reject(new Error('must not sleep')),
    });
    const result = await worker.runOnce();
    expect(result.failed).toHaveLength(1);
    expect(result.processed).toEqual([]);
  });
});

describe('SagaRetentionWorker', () => {
  const retention = new MaxAgeRetentionPolicy({ maxAgeMs: 3_600_000 });

  it('removes finished sagas once the manager clock makes them due, one round per interval', async () => {
    const h = harness({ manager: { retention } });
    await h.manager.handle(orderPlaced('order-1'));
    const sleeper = manualSleep();
    const worker = new SagaRetentionWorker(h.manager, { sleep: sleeper.sleep, logger: h.logger });
    expect(worker.name).toBe('saga-retention');
    const app = new Application({ workers: [worker], logger: new MemoryLogger() });
    await app.start();

    await sleeper.sleeping();
    expect(sleeper.pauses).toEqual([60_000]);
    expect(h.repository.size).toBe(1); // finished just now: kept

    h.clock.advance(3_600_001);
    sleeper.wake();
    await sleeper.sleeping();
    expect(h.repository.size).toBe(0);
    expect(sleeper.pauses).toEqual([60_000, 60_000]);

    await app.shutdown();
    expect(worker.running).toBe(false);
  });

  it('runs full rounds back to back, pausing only after a round that was not full', async () => {
    const h = harness({ manager: { retention } });
    for (let i = 0; i < 5; i++) await h.manager.handle(orderPlaced(`order-${i}`));
    h.clock.advance(2 * 3_600_000);
    const rounds: number[] = [];
    const pruneFinished = h.manager.pruneFinished.bind(h.manager);
    h.manager.pruneFinished = async (limit) => {
      const result = await pruneFinished(limit);
      rounds.push(result.removed);
      return result;
    };
    const sleeper = manualSleep();
    const worker = new SagaRetentionWorker(h.manager, {
      batchSize: 2,
      intervalMs: 10,
      sleep: sleeper.sleep,
    });
    worker.start();
    await sleeper.sleeping();
    expect(rounds).toEqual([2, 2, 1]);
    expect(sleeper.pauses).toEqual([10]);
    expect(h.repository.size).toBe(0);
    await worker.stop();
  });

  it('runOnce reports how many it removed; it refuses a manager without a retention policy', async () => {
    const h = harness({ manager: { retention } });
    await h.manager.handle(orderPlaced());
    h.clock.advance(3_600_001);
    const worker = new SagaRetentionWorker(h.manager, {
      sleep: () => Promise.reject(new Error('must not sleep')),
    });
    expect((await worker.runOnce()).removed).toBe(1);

    expect(() => new SagaRetentionWorker(harness().manager)).toThrowError(
      expect.objectContaining({ code: 'SAGA_CONFIGURATION' }),
    );
  });
});
