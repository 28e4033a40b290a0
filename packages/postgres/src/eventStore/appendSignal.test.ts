import type { SqlExecutor } from '@pd/postgres';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appendSignal, MIN_NOTIFY_INTERVAL_MS } from './appendSignal.js';

/** A fake pool whose queries the test settles one by one. */
function fakePool() {
  const calls: { params: readonly unknown[]; settle: (error?: Error) => void }[] = [];
  const executor = {
    kind: 'pg',
    inTransaction: false,
    query: (_text: string, params: readonly unknown[] = []) =>
      new Promise<never[]>((resolve, reject) => {
        calls.push({ params, settle: (error) => (error ? reject(error) : resolve([])) });
      }),
  } as unknown as SqlExecutor;
  return { executor, calls };
}

/** Past the minimum interval between two NOTIFYs, so a queued one goes out. */
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, MIN_NOTIFY_INTERVAL_MS + 5));

describe('appendSignal', () => {
  afterEach(() => vi.restoreAllMocks());

  it('sends one NOTIFY per append while none is in flight', async () => {
    const { executor, calls } = fakePool();
    const signal = appendSignal(executor, 'pd_events_a');
    signal.fire();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.params).toEqual(['pd_events_a', '']);
    calls[0]?.settle();
    await tick();
    signal.fire();
    expect(calls).toHaveLength(2);
  });

  it('coalesces appends that commit while one is in flight into exactly one more', async () => {
    const { executor, calls } = fakePool();
    const signal = appendSignal(executor, 'pd_events_b');
    for (let i = 0; i < 10; i++) signal.fire();
    expect(calls).toHaveLength(1);
    calls[0]?.settle();
    await tick();
    expect(calls).toHaveLength(2); // the last appends are covered by a NOTIFY sent after them
    calls[1]?.settle();
    await tick();
    expect(calls).toHaveLength(2); // and nothing more without new appends
  });

  it('sends at most one NOTIFY per interval, the last one after the last append', async () => {
    const { executor, calls } = fakePool();
    const signal = appendSignal(executor, 'pd_events_e');
    signal.fire();
    calls[0]?.settle(); // answered at once: the next may still not go out before the interval
    await Promise.resolve();
    signal.fire();
    signal.fire();
    expect(calls).toHaveLength(1);
    await tick();
    expect(calls).toHaveLength(2);
  });

  it('is shared per executor and channel', () => {
    const { executor } = fakePool();
    expect(appendSignal(executor, 'x')).toBe(appendSignal(executor, 'x'));
    expect(appendSignal(executor, 'x')).not.toBe(appendSignal(executor, 'y'));
    expect(appendSignal(fakePool().executor, 'x')).not.toBe(appendSignal(executor, 'x'));
  });

  it('reports the first failure as a warning, and later appends still notify', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { executor, calls } = fakePool();
    const signal = appendSignal(executor, 'pd_events_c');
    signal.fire();
    signal.fire();
    calls[0]?.settle(new Error('connection refused'));
    await tick();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('connection refused');
    expect(calls).toHaveLength(2); // the append that came in meanwhile gets its own try
    calls[1]?.settle(new Error('connection refused'));
    await tick();
    expect(calls).toHaveLength(2); // a failure alone does not retry
    expect(warn).toHaveBeenCalledTimes(1);
    signal.fire();
    expect(calls).toHaveLength(3);
  });

  it('stays quiet when the pool is shutting down', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { executor, calls } = fakePool();
    appendSignal(executor, 'pd_events_d').fire();
    calls[0]?.settle(new Error('Cannot use a pool after calling end on the pool'));
    await tick();
    expect(warn).not.toHaveBeenCalled();
  });
});
