import {
  AggregateLockingBehavior,
  Command,
  CommandBus,
  DictLockKeyResolver,
  InMemoryLockProvider,
  InMemoryUnitOfWork,
  type LockProvider,
  LockTimeoutError,
  Query,
  QueryBus,
} from '@pd/cqrs';
import { InMemoryRepository } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  deferred,
  flush,
  Order,
  type OrderRepository,
  RenameOrder,
  ShopUnitOfWork,
} from '../testSupport/shop.js';

class Transfer extends Command()('Transfer', { from: z.string(), to: z.string() }) {}

/** Records calls and delegates to a real in-memory provider. */
function recordingProvider(failOn?: string): LockProvider & { calls: string[] } {
  const inner = new InMemoryLockProvider();
  const calls: string[] = [];
  return {
    calls,
    async acquire(key, options) {
      calls.push(`acquire ${key}`);
      if (key === failOn) throw new LockTimeoutError(key, 1);
      await inner.acquire(key, options);
    },
    async release(key) {
      calls.push(`release ${key}`);
      await inner.release(key);
    },
  };
}

const transferKeys = () =>
  new DictLockKeyResolver()
    .register(Transfer, (c) => [`account:${c.to}`, `account:${c.from}`])
    .register(Transfer, (c) => [`account:${c.from}`]);

describe('AggregateLockingBehavior', () => {
  it('acquires sorted, de-duplicated keys in ascending order and releases them in reverse after the commit', async () => {
    const provider = recordingProvider();
    let statusWhenReleased: string | undefined;
    let uow: InMemoryUnitOfWork | undefined;
    const bus = new CommandBus().register(
      Transfer,
      () => {
        provider.calls.push('handler');
      },
      {
        uow: () => {
          uow = new InMemoryUnitOfWork();
          uow.onCompletion(() => {
            statusWhenReleased = uow?.status;
          });
          return uow;
        },
        behaviors: [new AggregateLockingBehavior(provider, transferKeys())],
      },
    );
    await bus.send(new Transfer({ from: 'b', to: 'a' }));
    expect(provider.calls).toEqual([
      'acquire account:a',
      'acquire account:b',
      'handler',
      'release account:b',
      'release account:a',
    ]);
    expect(statusWhenReleased).toBe('committed');
  });

  it('does not touch the provider when the resolver returns no keys', async () => {
    const provider = recordingProvider();
    class Other extends Command()('Other', {}) {}
    const bus = new CommandBus().register(Other, () => undefined, {
      uow: () => new InMemoryUnitOfWork(),
      behaviors: [new AggregateLockingBehavior(provider, transferKeys())],
    });
    await bus.send(new Other({}));
    expect(provider.calls).toEqual([]);
  });

  it('releases the keys already held when an acquire fails, and never runs the handler', async () => {
    const provider = recordingProvider('account:b');
    let ran = false;
    const bus = new CommandBus().register(
      Transfer,
      () => {
        ran = true;
      },
      {
        uow: () => new InMemoryUnitOfWork(),
        behaviors: [new AggregateLockingBehavior(provider, transferKeys())],
      },
    );
    const error = await bus.send(new Transfer({ from: 'a', to: 'b' })).catch((e: unknown) => e);
    expect((error as { causeCode?: string }).causeCode).toBe('LOCK_TIMEOUT');
    expect(ran).toBe(false);
    expect(provider.calls).toEqual(['acquire account:a', 'acquire account:b', 'release account:a']);
  });

  it('releases the keys when the handler fails (after the rollback)', async () => {
    const provider = new InMemoryLockProvider();
    const bus = new CommandBus().register(
      Transfer,
      () => {
        throw new Error('insufficient funds');
      },
      {
        uow: () => new InMemoryUnitOfWork(),
        behaviors: [new AggregateLockingBehavior(provider, transferKeys())],
      },
    );
    await expect(bus.send(new Transfer({ from: 'a', to: 'b' }))).rejects.toThrow(
      /insufficient funds/,
    );
    expect(provider.size).toBe(0);
  });

  it('keeps a second command on the same aggregate from loading state before the first commits (fix 10.2 #8)', async () => {
    const orders: OrderRepository = new InMemoryRepository<Order>();
    const order = new Order({ name: 'v0' });
    await orders.save(order);
    const commitGate = deferred();
    const loadedNames: string[] = [];
    let commits = 0;
    class SlowCommitUow extends ShopUnitOfWork {
      protected override async commitTransaction(): Promise<void> {
        commits++;
        if (commits === 1) await commitGate.promise; // the first commit is slow
      }
    }
    const locks = new InMemoryLockProvider();
    const bus = new CommandBus().register(
      RenameOrder,
      async (cmd, uow) => {
        const current = await uow.orders.getById(cmd.orderId);
        if (!current) throw new Error('missing');
        loadedNames.push(current.name);
        current.rename(cmd.name);
        await uow.orders.save(current);
        return { version: current.version };
      },
      {
        uow: () => new SlowCommitUow(orders),
        behaviors: [
          new AggregateLockingBehavior(
            locks,
            new DictLockKeyResolver().register(RenameOrder, (c) => [c.orderId]),
          ),
        ],
      },
    );
    const first = bus.send(new RenameOrder({ orderId: order.id, name: 'v1' }));
    await flush();
    const second = bus.send(new RenameOrder({ orderId: order.id, name: 'v2' }));
    await flush();
    expect(loadedNames).toEqual(['v0']); // the second is still waiting for the lock, mid-commit of the first
    commitGate.resolve();
    await Promise.all([first, second]);
    expect(loadedNames).toEqual(['v0', 'v1']);
    expect(locks.size).toBe(0);
  });

  it('without a unit of work (queries) releases when the handler returns', async () => {
    class Peek extends Query<boolean>()('Peek', { id: z.string() }) {}
    const locks = new InMemoryLockProvider();
    const bus = new QueryBus().register(Peek, (q) => locks.isLocked(q.id), {
      behaviors: [
        new AggregateLockingBehavior(
          locks,
          new DictLockKeyResolver().register(Peek, (q) => [q.id]),
        ),
      ],
    });
    await expect(bus.ask(new Peek({ id: 'x' }))).resolves.toBe(true);
    expect(locks.isLocked('x')).toBe(false);
  });

  describe('re-entry along the dispatch chain', () => {
    class Debit extends Command()('Debit', { account: z.string() }) {}
    const resolver = () =>
      new DictLockKeyResolver()
        .register(Transfer, (c) => [`account:${c.from}`, `account:${c.to}`])
        .register(Debit, (c) => [`account:${c.account}`]);

    it('a command sent by a handler does not wait for a key its own dispatch holds', async () => {
      const provider = recordingProvider();
      const bus: CommandBus = new CommandBus()
        // A short timeout turns a self-deadlock into a LockTimeoutError instead of a hung test.
        .use(new AggregateLockingBehavior(provider, resolver(), { timeoutMs: 200 }))
        .register(
          Transfer,
          async (c) => {
            await bus.send(new Debit({ account: c.from }));
            provider.calls.push('transfer handler');
          },
          { uow: () => new InMemoryUnitOfWork() },
        )
        .register(Debit, () => void provider.calls.push('debit handler'), {
          uow: () => new InMemoryUnitOfWork(),
        });

      await bus.send(new Transfer({ from: 'a', to: 'b' }));
      expect(provider.calls).toEqual([
        'acquire account:a',
        'acquire account:b',
        'debit handler', // took nothing: both of its keys were held by the enclosing Transfer
        'transfer handler',
        'release account:b',
        'release account:a',
      ]);
    });

    it('a nested command takes only the keys not held yet, and releases only those', async () => {
      const provider = recordingProvider();
      const bus: CommandBus = new CommandBus()
        .use(new AggregateLockingBehavior(provider, resolver(), { timeoutMs: 200 }))
        .register(
          Debit,
          async (c) => {
            provider.calls.push(`debit ${c.account}`);
            if (c.account === 'a') await bus.send(new Transfer({ from: 'a', to: 'c' }));
          },
          { uow: () => new InMemoryUnitOfWork() },
        )
        .register(Transfer, () => void provider.calls.push('transfer'), {
          uow: () => new InMemoryUnitOfWork(),
        });

      await bus.send(new Debit({ account: 'a' }));
      expect(provider.calls).toEqual([
        'acquire account:a',
        'debit a',
        'acquire account:c',
        'transfer',
        'release account:c', // the nested command's own key, at its own completion
        'release account:a',
      ]);
    });

    it('dispatches outside the chain still wait for each other', async () => {
      const locks = new InMemoryLockProvider();
      const gate = deferred();
      const order: string[] = [];
      const bus = new CommandBus().use(new AggregateLockingBehavior(locks, resolver())).register(
        Debit,
        async (c) => {
          order.push(`start ${c.commandId.slice(-4)}`);
          if (order.length === 1) await gate.promise;
          order.push(`end ${c.commandId.slice(-4)}`);
        },
        { uow: () => new InMemoryUnitOfWork() },
      );
      const first = new Debit({ account: 'a' });
      const second = new Debit({ account: 'a' });
      const running = bus.send(first);
      await flush();
      const waiting = bus.send(second);
      await flush();
      expect(order).toEqual([`start ${first.commandId.slice(-4)}`]);
      gate.resolve(undefined);
      await Promise.all([running, waiting]);
      expect(order).toEqual([
        `start ${first.commandId.slice(-4)}`,
        `end ${first.commandId.slice(-4)}`,
        `start ${second.commandId.slice(-4)}`,
        `end ${second.commandId.slice(-4)}`,
      ]);
      expect(locks.size).toBe(0);
    });
  });
});
