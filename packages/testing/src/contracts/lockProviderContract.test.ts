import { InMemoryLockProvider } from '@pd/cqrs';
import { FakeLockProvider, lockProviderContract, registerContract, runContract } from '@pd/testing';
import { describe, expect, it } from 'vitest';
import { NoOpLockProvider } from './__fixtures__/brokenStores.js';

registerContract(
  lockProviderContract(() => new InMemoryLockProvider(), { timeoutMs: 20 }),
  {
    describe,
    it,
  },
);
registerContract(
  {
    ...lockProviderContract(() => new FakeLockProvider(), { timeoutMs: 20 }),
    name: 'LockProvider contract (FakeLockProvider)',
  },
  { describe, it },
);

describe('lockProviderContract fails for broken providers', () => {
  it('reports a provider without mutual exclusion', async () => {
    const report = await runContract(
      lockProviderContract(() => new NoOpLockProvider(), { timeoutMs: 20 }),
    );
    expect(report.failed.map((f) => f.name)).toEqual([
      'one key is held by one task at a time (no overlapping critical sections)',
      'a waiter gets the key only after the holder releases it',
      'releasing a key nobody holds is a LockNotHeldError',
      'acquire gives up after timeoutMs with a LockTimeoutError, and the timed-out waiter never gets the key',
    ]);
  });
});
