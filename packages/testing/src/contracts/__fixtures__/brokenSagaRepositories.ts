// Deliberately broken saga repositories: the saga repository contract must report each of them.
import {
  type FinishedSagaCutoffs,
  InMemorySagaRepository,
  type SagaRepository,
  type SagaState,
  type StoredSagaRef,
} from '@pd/advanced/saga';

/** Removes by id alone: a saga saved since it was found is deleted anyway. */
export class VersionBlindRemovalSagaRepository extends InMemorySagaRepository {
  override async deleteFinished(sagas: readonly StoredSagaRef[]): Promise<string[]> {
    const current = await Promise.all(sagas.map(({ id }) => this.getById(id)));
    return super.deleteFinished(
      current.flatMap((state) =>
        state === undefined ? [] : [{ id: state.id, version: state.version }],
      ),
    );
  }
}

/** Treats every finished saga as due, whatever its age and the cutoff of its status. */
export class CutoffBlindSagaRepository extends InMemorySagaRepository {
  override findFinished(_cutoffs: FinishedSagaCutoffs, limit?: number): Promise<SagaState[]> {
    const never = new Date(8.64e15);
    return super.findFinished({ COMPLETED: never, FAILED: never, COMPENSATED: never }, limit);
  }
}

/** Ignores the limit: one call may load the whole backlog. */
export class UnboundedFinderSagaRepository extends InMemorySagaRepository {
  override findFinished(cutoffs: FinishedSagaCutoffs): Promise<SagaState[]> {
    return super.findFinished(cutoffs, Number.MAX_SAFE_INTEGER);
  }
}

/** A repository written before removal existed: only the required methods. */
export function legacySagaRepository(
  inner: InMemorySagaRepository = new InMemorySagaRepository(),
): SagaRepository {
  return {
    save: (state, options) => inner.save(state, options),
    getById: (id) => inner.getById(id),
    findByCorrelationId: (correlationId, sagaType) =>
      inner.findByCorrelationId(correlationId, sagaType),
    findStalled: (limit) => inner.findStalled(limit),
    findSuspended: (limit) => inner.findSuspended(limit),
    findExpiredSuspended: (now, limit) => inner.findExpiredSuspended(now, limit),
  };
}

/** Half an implementation: a finder without the matching removal. */
export function halfRemovingSagaRepository(): SagaRepository {
  const inner = new InMemorySagaRepository();
  return {
    ...legacySagaRepository(inner),
    findFinished: (cutoffs, limit) => inner.findFinished(cutoffs, limit),
  };
}
