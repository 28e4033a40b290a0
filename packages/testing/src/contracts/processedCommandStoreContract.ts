import assert from 'node:assert/strict';
import type { ProcessedCommandStore } from '@pd/cqrs';
import {
  type ContractSuite,
  defineContract,
  type FixtureContext,
  type StoreFactory,
} from './contract.js';

/** Options of {@link processedCommandStoreContract}. */
export interface ProcessedCommandStoreContractOptions {
  /** Parallel claimers in the concurrency case (default 8). */
  readonly concurrency?: number;
}

/**
 * The `ProcessedCommandStore` contract: claim → complete or release, `in-flight` for a second
 * claimer, the completed result for a later one, `get`/`contains` only for completed commands,
 * results round-tripped as JSON, and exactly one winner among concurrent claims.
 *
 * @example
 * registerContract(processedCommandStoreContract(() => new InMemoryProcessedCommandStore()), { describe, it });
 */
export function processedCommandStoreContract(
  makeStore: StoreFactory<ProcessedCommandStore>,
  options: ProcessedCommandStoreContractOptions = {},
): ContractSuite {
  const claimers = options.concurrency ?? 8;
  return defineContract<ProcessedCommandStore, FixtureContext>(
    'ProcessedCommandStore contract',
    makeStore,
    {},
    {
      'an unknown command is neither completed nor contained': async (store) => {
        assert.equal(await store.get('cmd-1'), undefined);
        assert.equal(await store.contains('cmd-1'), false);
      },
      'the first claim wins; a second claim sees the command in flight': async (store) => {
        assert.equal(await store.claim('cmd-1'), 'claimed');
        assert.equal(await store.claim('cmd-1'), 'in-flight');
        assert.equal(
          await store.get('cmd-1'),
          undefined,
          'an in-flight command has no completed record',
        );
        assert.equal(await store.contains('cmd-1'), false, 'an in-flight command is not contained');
        assert.equal(await store.claim('cmd-2'), 'claimed', 'other ids are independent');
      },
      'complete turns the claim into a record that later claims and get return': async (store) => {
        const result = { orderId: 'o-1', lines: [1, 2], note: 'it\'s "done" ✓', nothing: null };
        await store.claim('cmd-1');
        await store.complete('cmd-1', result);
        assert.equal(await store.contains('cmd-1'), true);
        assert.deepEqual(await store.get('cmd-1'), { completed: result });
        assert.deepEqual(
          await store.claim('cmd-1'),
          { completed: result },
          'a redelivery gets the first result',
        );
        assert.equal(await store.contains('cmd-2'), false);
      },
      'JSON results of every kind round-trip': async (store) => {
        const results: unknown[] = [null, 0, 'text', true, [1, 'two'], { nested: { deep: ['x'] } }];
        for (const [i, result] of results.entries()) {
          await store.claim(`cmd-${i}`);
          await store.complete(`cmd-${i}`, result);
          assert.deepEqual(
            await store.get(`cmd-${i}`),
            { completed: result },
            `result ${JSON.stringify(result)}`,
          );
        }
      },
      'release drops an in-flight claim so the command can run again': async (store) => {
        await store.claim('cmd-1');
        await store.release('cmd-1');
        assert.equal(await store.claim('cmd-1'), 'claimed');
        await store.release('never-claimed');
        assert.equal(
          await store.claim('never-claimed'),
          'claimed',
          'releasing an unknown id is harmless',
        );
      },
      'release drops a completed record too': async (store) => {
        await store.claim('cmd-1');
        await store.complete('cmd-1', { ok: true });
        await store.release('cmd-1');
        assert.equal(await store.contains('cmd-1'), false);
        assert.equal(await store.get('cmd-1'), undefined);
        assert.equal(await store.claim('cmd-1'), 'claimed');
      },
      'concurrent claims of one command id: exactly one is claimed': async (store) => {
        const outcomes = await Promise.all(
          Array.from({ length: claimers }, () => store.claim('cmd-race')),
        );
        assert.equal(
          outcomes.filter((o) => o === 'claimed').length,
          1,
          `${claimers} claimers: one wins`,
        );
        assert.equal(
          outcomes.filter((o) => o === 'in-flight').length,
          claimers - 1,
          'the others see in-flight',
        );
      },
      'hostile command ids are kept apart verbatim': async (store) => {
        const ids = [
          `O'Brien "1"`,
          'ünï-😀',
          "'); DROP TABLE processed; --",
          'a%',
          'a_',
          'x'.repeat(250),
        ];
        for (const id of ids) {
          assert.equal(await store.claim(id), 'claimed', id);
          await store.complete(id, { id });
        }
        for (const id of ids) assert.deepEqual(await store.get(id), { completed: { id } });
        assert.equal(await store.contains('ab'), false);
      },
    },
  );
}
