import {
  type AnySagaState,
  InMemorySagaRepository,
  type SagaRepository,
  type SagaSaveOptions,
} from '@pd/advanced/saga';
import {
  FakeSagaRepository,
  registerContract,
  runContract,
  sagaRepositoryContract,
} from '@pd/testing';
import { describe, expect, it } from 'vitest';
import {
  CutoffBlindSagaRepository,
  halfRemovingSagaRepository,
  legacySagaRepository,
  UnboundedFinderSagaRepository,
  VersionBlindRemovalSagaRepository,
} from './__fixtures__/brokenSagaRepositories.js';

registerContract(
  sagaRepositoryContract(() => new InMemorySagaRepository()),
  { describe, it },
);
registerContract(
  {
    ...sagaRepositoryContract(() => new FakeSagaRepository()),
    name: 'SagaRepository contract (FakeSagaRepository)',
  },
  { describe, it },
);

/** pydomain's fake: no optimistic concurrency at all (last write wins). */
class LastWriteWinsSagaRepository extends InMemorySagaRepository {
  override async save(state: AnySagaState, _options?: SagaSaveOptions): Promise<void> {
    const stored = await this.getById(state.id);
    await super.save(state, { expectedVersion: stored?.version ?? 0 });
  }
}

describe('sagaRepositoryContract fails for broken repositories', () => {
  it('reports a repository without optimistic concurrency', async () => {
    const report = await runContract(
      sagaRepositoryContract(() => new LastWriteWinsSagaRepository()),
    );
    expect(report.failed.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'a stale copy is rejected with ConcurrencyError and changes nothing',
        'a state never saved but with a stored id is rejected',
      ]),
    );
  });
});

const REMOVAL_CASES = [
  'findFinished returns only finished sagas last changed before the cutoff of their status',
  'deleteFinished removes the listed sagas at their found version, frees their correlation and reports their ids',
  'a saga saved after it was found is not removed; the rest of the batch is',
  'deleteFinished never removes a saga that is not finished, even at its current version',
  'findFinished returns at most limit sagas (default 10): find-and-delete drains a backlog in bounded batches',
  'a removal racing a save of the same version: exactly one of them wins',
];

describe('sagaRepositoryContract checks the optional removal of finished sagas', () => {
  const failures = async (repository: () => SagaRepository, options = {}) =>
    (await runContract(sagaRepositoryContract(repository, options))).failed.map((f) => f.name);

  it('reports a removal that ignores the version a saga was found with', async () => {
    expect(await failures(() => new VersionBlindRemovalSagaRepository())).toEqual([
      'a saga saved after it was found is not removed; the rest of the batch is',
      'a removal racing a save of the same version: exactly one of them wins',
    ]);
  });

  it('reports a finder that ignores the cutoffs', async () => {
    expect(await failures(() => new CutoffBlindSagaRepository())).toEqual(
      expect.arrayContaining([
        'findFinished returns only finished sagas last changed before the cutoff of their status',
      ]),
    );
  });

  it('reports a finder that ignores the limit', async () => {
    expect(await failures(() => new UnboundedFinderSagaRepository())).toEqual([
      'findFinished returns at most limit sagas (default 10): find-and-delete drains a backlog in bounded batches',
    ]);
  });

  it('fails the removal cases of a repository without removal, saying how to opt out', async () => {
    const report = await runContract(sagaRepositoryContract(() => legacySagaRepository()));
    expect(report.failed.map((f) => f.name)).toEqual(REMOVAL_CASES);
    expect(String(report.failed[0]?.error)).toContain('removesFinished: false');
  });

  it('with removesFinished: false leaves the removal cases out, and a legacy repository passes', async () => {
    const suite = sagaRepositoryContract(() => legacySagaRepository(), { removesFinished: false });
    expect(suite.cases.map((c) => c.name)).not.toEqual(expect.arrayContaining([REMOVAL_CASES[0]]));
    expect((await runContract(suite)).failed).toEqual([]);
  });

  it('reports half an implementation, even when removal is opted out', async () => {
    expect(await failures(halfRemovingSagaRepository, { removesFinished: false })).toEqual([
      'implements both optional removal methods or neither',
    ]);
  });
});
