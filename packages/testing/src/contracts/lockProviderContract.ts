import assert from 'node:assert/strict';
import type { LockProvider } from '@pd/cqrs';
import {
  type ContractSuite,
  defineContract,
  type FixtureContext,
  type StoreFactory,
} from './contract.js';
import { rejectsWithCode, settle } from './contractSupport.js';

/** Options of {@link lockProviderContract}. */
export interface LockProviderContractOptions {
  /** Tasks contending for one key in the mutual-exclusion case (default 6). */
  readonly contenders?: number;
  /** The acquire timeout the timeout case uses, in ms (default 50). */
  readonly timeoutMs?: number;
}

/**
 * The `LockProvider` contract: mutual exclusion per key under contention, independent keys,
 * release hands the key on, `LockNotHeldError` for a stray release, `LockTimeoutError` after
 * `timeoutMs` (and a timed-out waiter never gets the key later).
 *
 * @example
 * registerContract(lockProviderContract(() => new InMemoryLockProvider()), { describe, it });
 */
export function lockProviderContract(
  makeProvider: StoreFactory<LockProvider>,
  options: LockProviderContractOptions = {},
): ContractSuite {
  const contenders = options.contenders ?? 6;
  const timeoutMs = options.timeoutMs ?? 50;
  return defineContract<LockProvider, FixtureContext>(
    'LockProvider contract',
    makeProvider,
    {},
    {
      'a free key is acquired and released': async (locks) => {
        await locks.acquire('Order-1');
        await locks.release('Order-1');
        await locks.acquire('Order-1');
        await locks.release('Order-1');
      },
      'one key is held by one task at a time (no overlapping critical sections)': async (locks) => {
        let inside = 0;
        let maxInside = 0;
        const order: number[] = [];
        await Promise.all(
          Array.from({ length: contenders }, async (_, task) => {
            await locks.acquire('Order-1');
            try {
              inside += 1;
              maxInside = Math.max(maxInside, inside);
              await settle(2);
              order.push(task);
              inside -= 1;
            } finally {
              await locks.release('Order-1');
            }
          }),
        );
        assert.equal(maxInside, 1, `at most one of ${contenders} tasks is inside at once`);
        assert.equal(order.length, contenders, 'every task got the lock in the end');
      },
      'a waiter gets the key only after the holder releases it': async (locks) => {
        await locks.acquire('Order-1');
        let acquired = false;
        const waiter = locks.acquire('Order-1').then(() => {
          acquired = true;
        });
        await settle(5);
        assert.equal(acquired, false, 'the waiter is still waiting while the key is held');
        await locks.release('Order-1');
        await waiter;
        assert.equal(acquired, true);
        await locks.release('Order-1');
      },
      'different keys do not block each other': async (locks) => {
        await locks.acquire('Order-1');
        await locks.acquire('Order-2');
        await locks.acquire('Customer-1');
        await locks.release('Order-2');
        await locks.release('Order-1');
        await locks.release('Customer-1');
      },
      'releasing a key nobody holds is a LockNotHeldError': async (locks) => {
        await rejectsWithCode(locks.release('Order-1'), 'LOCK_NOT_HELD', 'release without acquire');
        await locks.acquire('Order-1');
        await locks.release('Order-1');
        await rejectsWithCode(locks.release('Order-1'), 'LOCK_NOT_HELD', 'a double release');
      },
      'acquire gives up after timeoutMs with a LockTimeoutError, and the timed-out waiter never gets the key':
        async (locks) => {
          await locks.acquire('Order-1');
          const error = await rejectsWithCode(
            locks.acquire('Order-1', { timeoutMs }),
            'LOCK_TIMEOUT',
            `acquire with timeoutMs ${timeoutMs} while held`,
          );
          assert.equal(error.key, 'Order-1', 'LockTimeoutError.key');
          await locks.release('Order-1');
          let acquired = false;
          const next = locks.acquire('Order-1', { timeoutMs: 5_000 }).then(() => {
            acquired = true;
          });
          await next;
          assert.equal(
            acquired,
            true,
            'after the release a new acquire succeeds (the timed-out waiter left the queue)',
          );
          await locks.release('Order-1');
        },
      'hostile keys are distinct locks': async (locks) => {
        const keys = [
          `O'Brien "1"`,
          'ünï-😀',
          "'); DROP TABLE locks; --",
          'a%',
          'a_',
          'k'.repeat(300),
        ];
        for (const key of keys) await locks.acquire(key);
        for (const key of keys) await locks.release(key);
      },
    },
  );
}
