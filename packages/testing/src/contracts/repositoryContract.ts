import assert from 'node:assert/strict';
import { AggregateRoot, type AnyDomainEvent, DomainEvent, type Repository } from '@pd/ddd';
import { z } from 'zod';
import { fail } from '../assert/failure.js';
import {
  type ContractSuite,
  defineContract,
  type FixtureContext,
  type StoreFactory,
} from './contract.js';
import { rejectsWithCode } from './contractSupport.js';

/** How the repository contract makes and changes aggregates of the repository's type. */
export interface RepositoryContractFixture<TAggregate> {
  /** A new aggregate (version 0, a fresh id) with at least one pending event. */
  create(): TAggregate;
  /** Changes the aggregate and records one event. */
  change(aggregate: TAggregate): void;
  /** A value that tells states apart (it differs after `change`). Compared with `deepEqual`. */
  state(aggregate: TAggregate): unknown;
}

interface Versioned {
  readonly id: unknown;
  readonly version: number;
  peekEvents(): readonly AnyDomainEvent[];
}

/** An event of {@link ContractCart}. */
export class ContractCartChanged extends DomainEvent('pd.contract.CartChanged', {
  cartId: z.string(),
  items: z.number().int(),
}) {}

/** The aggregate of {@link cartFixture}: a cart counting its items. */
export class ContractCart extends AggregateRoot('pd.contract.Cart', {
  items: z.number().int().default(0),
}) {
  static open(): ContractCart {
    const cart = new ContractCart({});
    cart.add();
    return cart;
  }

  add(): void {
    this.set({ items: this.items + 1 });
    this.record(new ContractCartChanged({ cartId: this.id, items: this.items }));
  }
}

/** A ready fixture for a repository that takes any aggregate (`new MyRepository<ContractCart>()`). */
export const cartFixture: RepositoryContractFixture<ContractCart> = Object.freeze({
  create: () => ContractCart.open(),
  change: (cart: ContractCart) => cart.add(),
  state: (cart: ContractCart) => cart.items,
});

/**
 * The level-1 `Repository` contract: insert and update with optimistic concurrency on `version`,
 * copies in and out, the saved aggregates' events collected once and in order, nothing collected
 * or written by a rejected save, and idempotent deletes after which a stale copy cannot come back.
 *
 * @example
 * registerContract(repositoryContract(() => new InMemoryRepository<ContractCart>(), cartFixture), { describe, it });
 */
export function repositoryContract<TAggregate extends Versioned>(
  makeRepository: StoreFactory<Repository<TAggregate, TAggregate['id']>>,
  fixture: RepositoryContractFixture<TAggregate>,
): ContractSuite {
  type Repo = Repository<TAggregate, TAggregate['id']>;
  const load = async (repo: Repo, id: TAggregate['id'], what: string): Promise<TAggregate> => {
    const found = await repo.getById(id);
    if (found === undefined) return fail(`${what}: getById found nothing`);
    return found;
  };
  return defineContract<Repo, FixtureContext>(
    'Repository contract',
    makeRepository,
    {},
    {
      'a new aggregate is inserted at version 1 and loads with the same state': async (repo) => {
        const aggregate = fixture.create();
        assert.equal(aggregate.version, 0, 'the fixture makes new aggregates (version 0)');
        await repo.save(aggregate);
        assert.equal(aggregate.version, 1, 'save sets the version of the saved aggregate');
        const loaded = await load(repo, aggregate.id, 'after insert');
        assert.equal(loaded.version, 1);
        assert.deepEqual(fixture.state(loaded), fixture.state(aggregate));
      },
      'an unknown id loads as undefined': async (repo) => {
        assert.equal(await repo.getById(fixture.create().id), undefined);
      },
      'an update of the current version moves it on; a stale copy is a ConcurrencyError and writes nothing':
        async (repo) => {
          const aggregate = fixture.create();
          await repo.save(aggregate);
          const first = await load(repo, aggregate.id, 'first copy');
          const second = await load(repo, aggregate.id, 'second copy');
          fixture.change(first);
          await repo.save(first);
          assert.equal(first.version, 2);
          fixture.change(second);
          fixture.change(second);
          const error = await rejectsWithCode(repo.save(second), 'CONCURRENCY', 'a stale save');
          assert.equal(error.actualVersion, 2, 'ConcurrencyError.actualVersion');
          const stored = await load(repo, aggregate.id, 'after the rejected save');
          assert.equal(stored.version, 2);
          assert.deepEqual(fixture.state(stored), fixture.state(first));
        },
      'copies in and out: changing an object after save or after load changes nothing stored':
        async (repo) => {
          const aggregate = fixture.create();
          await repo.save(aggregate);
          const saved = fixture.state(aggregate);
          fixture.change(aggregate);
          const loaded = await load(repo, aggregate.id, 'after changing the saved object');
          assert.deepEqual(fixture.state(loaded), saved, 'the saved object is not the stored one');
          fixture.change(loaded);
          const again = await load(repo, aggregate.id, 'after changing a loaded object');
          assert.deepEqual(fixture.state(again), saved, 'a loaded object is a copy');
          assert.notStrictEqual(again, loaded);
        },
      'pullEvents returns the events of the saved aggregates once, in order': async (repo) => {
        const a = fixture.create();
        const b = fixture.create();
        const expected = [...a.peekEvents(), ...b.peekEvents()];
        await repo.save(a);
        await repo.save(b);
        assert.deepEqual(repo.pullEvents(), expected);
        assert.deepEqual(repo.pullEvents(), [], 'a second pull is empty');
        assert.deepEqual(a.peekEvents(), [], 'save takes the pending events off the aggregate');
      },
      'a rejected save collects no events': async (repo) => {
        const aggregate = fixture.create();
        await repo.save(aggregate);
        repo.pullEvents();
        const stale = await load(repo, aggregate.id, 'stale copy');
        const current = await load(repo, aggregate.id, 'current copy');
        fixture.change(current);
        await repo.save(current);
        repo.pullEvents();
        fixture.change(stale);
        await rejectsWithCode(repo.save(stale), 'CONCURRENCY', 'a stale save');
        assert.deepEqual(repo.pullEvents(), []);
      },
      'discardEvents, when offered, drops the collected events': async (repo) => {
        if (repo.discardEvents === undefined) return;
        await repo.save(fixture.create());
        repo.discardEvents();
        assert.deepEqual(repo.pullEvents(), []);
      },
      'delete is idempotent, and a copy loaded before it cannot bring the aggregate back': async (
        repo,
      ) => {
        const aggregate = fixture.create();
        await repo.save(aggregate);
        const before = await load(repo, aggregate.id, 'before the delete');
        await repo.delete(aggregate.id);
        assert.equal(await repo.getById(aggregate.id), undefined);
        await repo.delete(aggregate.id);
        await repo.delete(fixture.create().id);
        fixture.change(before);
        await rejectsWithCode(
          repo.save(before),
          'CONCURRENCY',
          'saving a copy of a deleted aggregate',
        );
        assert.equal(await repo.getById(aggregate.id), undefined);
      },
    },
  );
}
