import { InMemoryProjectionStore } from '@pd/cqrs';
import { ConcurrencyError, InMemoryRepository, type Repository } from '@pd/ddd';
import {
  type ContractCart,
  cartFixture,
  FakeProjectionStore,
  FakeRepository,
  projectionStoreContract,
  registerContract,
  repositoryContract,
  runContract,
} from '@pd/testing';
import { describe, expect, it } from 'vitest';

registerContract(
  repositoryContract(() => new InMemoryRepository<ContractCart>(), cartFixture),
  { describe, it },
);
registerContract(
  {
    ...repositoryContract(() => new FakeRepository<ContractCart>(), cartFixture),
    name: 'Repository contract (FakeRepository)',
  },
  { describe, it },
);
registerContract(
  {
    ...repositoryContract(
      () => new InMemoryRepository<ContractCart>().forUnitOfWork(),
      cartFixture,
    ),
    name: 'Repository contract (a unit-of-work view of InMemoryRepository)',
  },
  { describe, it },
);
registerContract(
  projectionStoreContract(() => new InMemoryProjectionStore()),
  { describe, it },
);
registerContract(
  {
    ...projectionStoreContract(() => new FakeProjectionStore()),
    name: 'ProjectionStore contract (FakeProjectionStore)',
  },
  { describe, it },
);

/** Stores the aggregate object it is given and hands it back: no copies. */
class SharingRepository extends InMemoryRepository<ContractCart> {
  readonly #objects = new Map<string, ContractCart>();
  override async save(cart: ContractCart): Promise<void> {
    await super.save(cart);
    this.#objects.set(cart.id, cart);
  }
  override async getById(id: string): Promise<ContractCart | undefined> {
    return (await super.getById(id)) === undefined ? undefined : this.#objects.get(id);
  }
}

/** Checks no version: the last writer wins. */
function versionBlind(): Repository<ContractCart> {
  const inner = new InMemoryRepository<ContractCart>();
  return {
    async save(cart) {
      const stored = await inner.getById(cart.id);
      if (stored !== undefined && stored.version !== cart.version) {
        (cart as { version: number }).version = stored.version;
      }
      try {
        await inner.save(cart);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    },
    getById: (id) => inner.getById(id),
    delete: (id) => inner.delete(id),
    pullEvents: () => inner.pullEvents(),
  };
}

describe('repositoryContract and projectionStoreContract fail for broken implementations', () => {
  it('reports a repository that shares objects instead of copying', async () => {
    const report = await runContract(
      repositoryContract(() => new SharingRepository(), cartFixture),
    );
    expect(report.failed.map((f) => f.name)).toContain(
      'copies in and out: changing an object after save or after load changes nothing stored',
    );
  });

  it('reports a repository that ignores versions', async () => {
    const report = await runContract(repositoryContract(versionBlind, cartFixture));
    expect(report.failed.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'an update of the current version moves it on; a stale copy is a ConcurrencyError and writes nothing',
        'delete is idempotent, and a copy loaded before it cannot bring the aggregate back',
      ]),
    );
  });

  it('reports a projection store that keeps the object it was given', async () => {
    const states = new Map<string, unknown>();
    const report = await runContract(
      projectionStoreContract(() => ({
        load: async (id) => {
          if (id === '') throw Object.assign(new Error('bad'), { code: 'VALIDATION' });
          return states.get(id);
        },
        save: async (id, state) => {
          if (id === '') throw Object.assign(new Error('bad'), { code: 'VALIDATION' });
          states.set(id, state);
        },
      })),
    );
    expect(report.failed.map((f) => f.name)).toEqual(['states are copied in and out']);
  });
});
