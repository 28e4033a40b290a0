import {
  Command,
  DictLockKeyResolver,
  InMemoryLockProvider,
  LockNotHeldError,
  LockTimeoutError,
} from '@pd/cqrs';
import { isPdError } from '@pd/ddd';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { flush } from '../testSupport/shop.js';

describe('InMemoryLockProvider', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves waiters on a key first come, first served', async () => {
    const locks = new InMemoryLockProvider();
    const order: string[] = [];
    await locks.acquire('k');
    const waiters = ['w1', 'w2', 'w3'].map((name) =>
      locks.acquire('k').then(() => {
        order.push(name);
      }),
    );
    await flush();
    expect(order).toEqual([]);
    for (let i = 0; i < 3; i++) {
      await locks.release('k');
      await flush();
    }
    await Promise.all(waiters);
    expect(order).toEqual(['w1', 'w2', 'w3']);
  });

  it('keeps different keys independent and forgets a key once free', async () => {
    const locks = new InMemoryLockProvider();
    await locks.acquire('a');
    await locks.acquire('b');
    expect(locks.size).toBe(2);
    await locks.release('a');
    expect(locks.isLocked('a')).toBe(false);
    expect(locks.isLocked('b')).toBe(true);
    await locks.release('b');
    expect(locks.size).toBe(0);
  });

  it('rejects releasing a key nobody holds with LockNotHeldError', async () => {
    const locks = new InMemoryLockProvider();
    const error = await locks.release('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockNotHeldError);
    expect(isPdError(error, 'LOCK_NOT_HELD')).toBe(true);
  });

  it('times out a waiter with LockTimeoutError and leaves the queue intact', async () => {
    vi.useFakeTimers();
    const locks = new InMemoryLockProvider({ defaultTimeoutMs: 1000 });
    await locks.acquire('k');
    const timedOut = locks.acquire('k', { timeoutMs: 50 }).catch((e: unknown) => e);
    const patient = locks.acquire('k');
    await vi.advanceTimersByTimeAsync(50);
    const error = await timedOut;
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as LockTimeoutError).key).toBe('k');
    await locks.release('k');
    await expect(patient).resolves.toBeUndefined();
    await vi.advanceTimersByTimeAsync(5000); // the granted waiter's timer was cleared
    expect(locks.isLocked('k')).toBe(true);
    await locks.release('k');
    expect(locks.size).toBe(0);
  });
});

describe('DictLockKeyResolver', () => {
  class Move extends Command()('Move', { from: z.string(), to: z.string() }) {}
  class Other extends Command()('Other', {}) {}

  it('concatenates every key function registered for the exact type; unknown types need no lock', () => {
    const resolver = new DictLockKeyResolver()
      .register(Move, (m) => [m.from])
      .register(Move, (m) => [m.to, m.from]);
    expect(resolver.resolve(new Move({ from: 'a', to: 'b' }))).toEqual(['a', 'b', 'a']);
    expect(resolver.resolve(new Other({}))).toEqual([]);
    expect(resolver.resolve({ plain: true })).toEqual([]);
  });
});
