import assert from 'node:assert/strict';
import type { Snapshot, SnapshotStore } from '@pd/eventsourcing';
import {
  type ContractSuite,
  defineContract,
  type FixtureContext,
  type StoreFactory,
} from './contract.js';

function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    aggregateType: 'Account',
    aggregateId: 'acc-1',
    version: 5,
    state: {
      owner: 'ann',
      balance: { amount: 10, currency: 'EUR' },
      tags: ['a', 'b'],
      closed: null,
    },
    schemaVersion: 1,
    createdAt: '2026-01-02T03:04:05.678Z',
    ...overrides,
  };
}

/**
 * The `SnapshotStore` contract: verbatim round trip, latest save wins, isolation by aggregate
 * type and id, copies in and out, hostile ids, and `delete` when the store has it.
 *
 * @example
 * registerContract(snapshotStoreContract(() => new InMemorySnapshotStore()), { describe, it });
 */
export function snapshotStoreContract(makeStore: StoreFactory<SnapshotStore>): ContractSuite {
  return defineContract<SnapshotStore, FixtureContext>(
    'SnapshotStore contract',
    makeStore,
    {},
    {
      'get returns undefined when there is no snapshot': async (store) => {
        assert.equal(await store.get('Account', 'acc-1'), undefined);
      },
      'a saved snapshot reads back verbatim': async (store) => {
        const saved = snapshot();
        await store.save(saved);
        assert.deepEqual(await store.get('Account', 'acc-1'), saved);
      },
      'the latest save replaces the previous snapshot': async (store) => {
        await store.save(snapshot({ version: 5 }));
        await store.save(snapshot({ version: 10, state: { owner: 'bob' }, schemaVersion: 2 }));
        const loaded = await store.get('Account', 'acc-1');
        assert.equal(loaded?.version, 10);
        assert.equal(loaded?.schemaVersion, 2);
        assert.deepEqual(loaded?.state, { owner: 'bob' }, 'no field of the older state survives');
      },
      'snapshots are kept per aggregate type and id': async (store) => {
        await store.save(snapshot({ aggregateId: 'acc-1', version: 1 }));
        await store.save(snapshot({ aggregateId: 'acc-2', version: 2 }));
        await store.save(snapshot({ aggregateType: 'Order', aggregateId: 'acc-1', version: 3 }));
        assert.equal((await store.get('Account', 'acc-1'))?.version, 1);
        assert.equal((await store.get('Account', 'acc-2'))?.version, 2);
        assert.equal((await store.get('Order', 'acc-1'))?.version, 3);
        assert.equal(await store.get('Order', 'acc-2'), undefined);
      },
      'changing a saved or loaded snapshot object changes nothing stored': async (store) => {
        const saved = snapshot();
        await store.save(saved);
        (saved.state.tags as string[]).push('after save');
        const loaded = await store.get('Account', 'acc-1');
        try {
          (loaded?.state.tags as string[] | undefined)?.push('after load');
        } catch {
          // a frozen snapshot is fine too
        }
        assert.deepEqual((await store.get('Account', 'acc-1'))?.state.tags, ['a', 'b']);
      },
      'hostile ids and large states read back verbatim': async (store) => {
        const ids = [
          `O'Brien-"1"`,
          'ünï-😀-日本',
          `x-${'z'.repeat(300)}`,
          "'); DROP TABLE snapshots; --",
        ];
        for (const aggregateId of ids) {
          await store.save(
            snapshot({ aggregateId, state: { text: aggregateId, big: 'b'.repeat(50_000) } }),
          );
        }
        for (const aggregateId of ids) {
          const loaded = await store.get('Account', aggregateId);
          assert.equal(loaded?.aggregateId, aggregateId);
          assert.equal(loaded?.state.text, aggregateId);
          assert.equal((loaded?.state.big as string | undefined)?.length, 50_000);
        }
      },
      'delete (when the store has it) forgets only its snapshot': async (store) => {
        await store.save(snapshot({ aggregateId: 'acc-1' }));
        await store.save(snapshot({ aggregateId: 'acc-2' }));
        if (store.delete === undefined) return;
        await store.delete('Account', 'acc-1');
        await store.delete('Account', 'acc-1');
        assert.equal(await store.get('Account', 'acc-1'), undefined);
        assert.equal((await store.get('Account', 'acc-2'))?.aggregateId, 'acc-2');
      },
    },
  );
}
