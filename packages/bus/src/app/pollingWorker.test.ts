import { PollingWorker } from '@pd/bus';
import { describe, expect, it } from 'vitest';
import { controlledSleep, flushUntil, recordingLogger } from '../testSupport/shop.js';

describe('PollingWorker', () => {
  it('runs a round, pauses intervalMs, and runs again until stop()', async () => {
    const { sleep, waits, tick } = controlledSleep();
    let rounds = 0;
    const worker = new PollingWorker({
      name: 'counter',
      runOnce: async () => ++rounds,
      intervalMs: 250,
      sleep,
    });
    expect(worker.running).toBe(false);
    worker.start();
    worker.start(); // a second start does not start a second loop
    expect(worker.running).toBe(true);
    await flushUntil(() => waits.length === 1);
    expect(rounds).toBe(1);
    tick();
    await flushUntil(() => waits.length === 2);
    expect(rounds).toBe(2);
    await worker.stop(); // cuts the pause short
    expect(worker.running).toBe(false);
    expect(rounds).toBe(2);
    expect(waits).toEqual([250, 250]);
  });

  it('starts the next round at once while hasMore says work is waiting', async () => {
    const { sleep, waits } = controlledSleep();
    const batches = [10, 10, 3];
    const seen: number[] = [];
    const worker = new PollingWorker({
      name: 'batches',
      runOnce: async () => {
        const size = batches.shift() ?? 0;
        seen.push(size);
        return size;
      },
      hasMore: (size) => size >= 10,
      sleep,
    });
    worker.start();
    await flushUntil(() => waits.length === 1);
    await worker.stop();
    expect(seen).toEqual([10, 10, 3]);
    expect(waits).toEqual([1000]);
  });

  it('honours stop() before start(): it never runs', async () => {
    let rounds = 0;
    const worker = new PollingWorker({
      name: 'never',
      runOnce: async () => ++rounds,
      sleep: controlledSleep().sleep,
    });
    await worker.stop();
    worker.start();
    await worker.stop();
    expect(rounds).toBe(0);
    expect(worker.running).toBe(false);
  });

  it('survives a failed round: logs it on the logger, pauses and goes on', async () => {
    const { sleep, waits, tick } = controlledSleep();
    const logger = recordingLogger();
    const failure = new Error('db down');
    let rounds = 0;
    const worker = new PollingWorker({
      name: 'flaky',
      runOnce: async () => {
        rounds++;
        if (rounds === 1) throw failure;
        return rounds;
      },
      hasMore: () => true, // a failed round still pauses
      intervalMs: 50,
      sleep,
      logger,
    });
    worker.start();
    await flushUntil(() => waits.length === 1);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        message: 'pd: polling worker round failed',
        fields: { worker: 'flaky', error: failure },
      },
    ]);
    tick();
    await flushUntil(() => rounds === 3);
    await worker.stop();
    expect(waits).toEqual([50]);
  });

  it('reports a failed round through onRoundError when given', async () => {
    const { sleep, waits } = controlledSleep();
    const errors: unknown[] = [];
    const worker = new PollingWorker({
      name: 'custom',
      runOnce: async () => {
        throw new Error('boom');
      },
      sleep,
      onRoundError: (error) => errors.push(error),
    });
    worker.start();
    await flushUntil(() => waits.length === 1);
    await worker.stop();
    expect(errors).toEqual([new Error('boom')]);
  });

  it('runOnce() runs one round by hand without sleeping', async () => {
    const { sleep, waits } = controlledSleep();
    const worker = new PollingWorker({ name: 'manual', runOnce: async () => 'done', sleep });
    expect(await worker.runOnce()).toBe('done');
    expect(waits).toEqual([]);
  });
});
