import assert from 'node:assert/strict';
import type { ProjectionStore } from '@pd/cqrs';
import {
  type ContractSuite,
  defineContract,
  type FixtureContext,
  type StoreFactory,
} from './contract.js';
import { rejectsWithCode } from './contractSupport.js';

interface BoardState {
  readonly orders: Record<string, { status: string; total: number }>;
  readonly count: number;
}

const board = (count: number): BoardState => ({
  orders: Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`order-${i}`, { status: 'placed', total: i * 10 }]),
  ),
  count,
});

/**
 * The cqrs `ProjectionStore` contract: undefined for an unknown id, save overwrites, states are
 * copied in and out, projections are isolated (hostile ids included), and an empty id is rejected.
 *
 * @example
 * registerContract(projectionStoreContract(() => new InMemoryProjectionStore()), { describe, it });
 */
export function projectionStoreContract(
  makeStore: StoreFactory<ProjectionStore<unknown>>,
): ContractSuite {
  return defineContract<ProjectionStore<unknown>, FixtureContext>(
    'ProjectionStore contract',
    makeStore,
    {},
    {
      'an unknown projection loads as undefined': async (store) => {
        assert.equal(await store.load('never-saved'), undefined);
      },
      'a saved state loads back equal, and save overwrites': async (store) => {
        await store.save('board', board(2));
        assert.deepEqual(await store.load('board'), board(2));
        await store.save('board', board(5));
        assert.deepEqual(await store.load('board'), board(5));
        await store.save('board', board(0));
        assert.deepEqual(await store.load('board'), board(0), 'a smaller state replaces a larger');
      },
      'states are copied in and out': async (store) => {
        const state = { ...board(1), orders: { ...board(1).orders } };
        await store.save('board', state);
        (state.orders as Record<string, unknown>)['order-x'] = { status: 'paid', total: 1 };
        assert.deepEqual(await store.load('board'), board(1), 'changing a saved object');
        const loaded = (await store.load('board')) as { orders: Record<string, unknown> };
        loaded.orders['order-y'] = { status: 'paid', total: 2 };
        assert.deepEqual(await store.load('board'), board(1), 'changing a loaded object');
      },
      'projections are isolated, hostile ids included': async (store) => {
        const ids = [
          'a',
          'b',
          'a-b',
          `O'Brien "board"`,
          'ünï-😀',
          "'); DROP TABLE x; --",
          'a%',
          'a_',
        ];
        for (const [i, id] of ids.entries()) await store.save(id, board(i));
        for (const [i, id] of ids.entries()) assert.deepEqual(await store.load(id), board(i), id);
        assert.equal(
          await store.load('ab'),
          undefined,
          "a wildcard-like id ('a_') matches nothing else",
        );
      },
      'an empty projection id is rejected': async (store) => {
        await rejectsWithCode(store.save('', board(1)), 'VALIDATION', "save('')");
        await rejectsWithCode(store.load(''), 'VALIDATION', "load('')");
      },
    },
  );
}
