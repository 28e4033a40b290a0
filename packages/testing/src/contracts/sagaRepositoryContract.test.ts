import { type AnySagaState, InMemorySagaRepository, type SagaSaveOptions } from '@pd/advanced/saga';
import {
  FakeSagaRepository,
  registerContract,
  runContract,
  sagaRepositoryContract,
} from '@pd/testing';
import { describe, expect, it } from 'vitest';

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
