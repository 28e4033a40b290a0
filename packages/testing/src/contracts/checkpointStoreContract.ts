import assert from 'node:assert/strict';
import type { CheckpointStore } from '@pd/eventsourcing';
import {
  type ContractSuite,
  defineContract,
  type FixtureContext,
  type StoreFactory,
} from './contract.js';
import { rejectsWithCode } from './contractSupport.js';

/**
 * The `CheckpointStore` contract: 0 by default, save overwrites (also with a lower value), large
 * positions, isolation between subscriptions, hostile ids, bad input, and `reset` when the store
 * has it.
 *
 * @example
 * registerContract(checkpointStoreContract(() => new InMemoryCheckpointStore()), { describe, it });
 */
export function checkpointStoreContract(makeStore: StoreFactory<CheckpointStore>): ContractSuite {
  return defineContract<CheckpointStore, FixtureContext>(
    'CheckpointStore contract',
    makeStore,
    {},
    {
      'an unknown subscription is at 0': async (store) => {
        assert.equal(await store.load('never-saved'), 0);
      },
      'save overwrites: the last saved position wins, even a lower one': async (store) => {
        await store.save('sub', 5);
        assert.equal(await store.load('sub'), 5);
        await store.save('sub', 42);
        assert.equal(await store.load('sub'), 42);
        await store.save('sub', 7);
        assert.equal(await store.load('sub'), 7, 'a rewind (rebuild) is allowed');
        await store.save('sub', 0);
        assert.equal(await store.load('sub'), 0);
      },
      'large positions round-trip exactly': async (store) => {
        for (const position of [2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) {
          await store.save('big', position);
          const loaded = await store.load('big');
          assert.equal(
            typeof loaded,
            'number',
            'a position loads as a number (not a string or bigint)',
          );
          assert.equal(loaded, position);
        }
      },
      'subscriptions are isolated': async (store) => {
        await store.save('a', 1);
        await store.save('b', 2);
        await store.save('a-b', 3);
        assert.deepEqual(
          [
            await store.load('a'),
            await store.load('b'),
            await store.load('a-b'),
            await store.load('c'),
          ],
          [1, 2, 3, 0],
        );
      },
      'hostile subscription ids are kept apart verbatim': async (store) => {
        const ids = [
          `O'Brien "sub"`,
          'ünï-😀',
          `${'s'.repeat(250)}`,
          "'); DROP TABLE checkpoints; --",
          'a%',
          'a_',
        ];
        for (const [i, id] of ids.entries()) await store.save(id, i + 1);
        for (const [i, id] of ids.entries()) assert.equal(await store.load(id), i + 1, id);
        assert.equal(await store.load('ab'), 0, "a wildcard-like id ('a_') matches nothing else");
      },
      'a negative or fractional position is rejected and stores nothing': async (store) => {
        await store.save('sub', 3);
        for (const bad of [-1, 1.5, Number.NaN]) {
          await rejectsWithCode(store.save('sub', bad), 'VALIDATION', `save(${bad})`);
        }
        assert.equal(await store.load('sub'), 3);
      },
      'reset (when the store has it) forgets one subscription': async (store) => {
        await store.save('a', 9);
        await store.save('b', 8);
        if (store.reset === undefined) return;
        await store.reset('a');
        await store.reset('never-saved');
        assert.equal(await store.load('a'), 0);
        assert.equal(await store.load('b'), 8);
        await store.save('a', 1);
        assert.equal(await store.load('a'), 1, 'a reset subscription can save again');
      },
    },
  );
}
