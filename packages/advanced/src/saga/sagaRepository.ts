import type { FinishedSagaCutoffs } from './sagaRetentionPolicy.js';
import type { SagaState } from './sagaState.js';

/** Any saga state, whatever its data type. */
export type AnySagaState = SagaState<object>;

/** Options of {@link SagaRepository.save}. */
export interface SagaSaveOptions {
  /**
   * The version the caller loaded (default: `state.version`, which is the loaded version — state
   * changes do not bump it). 0 for a state never saved.
   */
  readonly expectedVersion?: number;
}

/** A stored saga as a finder returned it: its id and the version it had then. */
export interface StoredSagaRef {
  readonly id: string;
  readonly version: number;
}

/**
 * Where saga states live. Storage-neutral: an adapter stores `state.toJSON()` and reads back with
 * `SagaState.fromJSON(json)`; `SagaState` offers `isStalled` and `isExpired(now)` so adapters
 * implement the finders the same way.
 *
 * Contract (an adapter must honour all of it):
 * - `save` is an upsert under optimistic concurrency: it throws `ConcurrencyError` (from
 *   `@pd/ddd`) unless the stored version equals `expectedVersion` (0 = not stored yet), and it
 *   rejects a *second* state with the same `(sagaType, correlationId)` the same way. On success it
 *   stores version `expectedVersion + 1` and sets it on the state (`setEntityVersion`).
 * - Reads return fresh objects: changing a returned state changes nothing stored until `save`.
 * - `findStalled`: states with a pending command not yet dispatched, or COMPENSATING — whatever
 *   their status (a COMPLETED saga may still owe its last command).
 * - `findSuspended`: SUSPENDED states. `findExpiredSuspended(now)`: SUSPENDED with a `timeoutAt`
 *   at or before `now` (no timeout = never expires).
 * - Finders return at most `limit` states (default 10), oldest first where the store can tell.
 *
 * **Removing finished sagas is optional** (`findFinished` and `deleteFinished`, added after the
 * rest): a repository written before them still type-checks and still runs every saga. Implement
 * both or neither. A `SagaManager` given a `retention` policy refuses, at construction, a
 * repository without them (`SagaConfigurationError`), so the gap shows up at start-up rather than
 * as state that silently grows; without a retention policy nothing calls them. The
 * `sagaRepositoryContract` of `@pd/testing` checks them unless told the repository cannot remove.
 */
export interface SagaRepository {
  save(state: AnySagaState, options?: SagaSaveOptions): Promise<void>;
  getById(id: string): Promise<SagaState | undefined>;
  findByCorrelationId(correlationId: string, sagaType: string): Promise<SagaState | undefined>;
  findStalled(limit?: number): Promise<SagaState[]>;
  findSuspended(limit?: number): Promise<SagaState[]>;
  findExpiredSuspended(now: Date, limit?: number): Promise<SagaState[]>;
  /**
   * Optional. Finished sagas due for removal: `state.isDueForRemoval(cutoffs)` — terminal, owing
   * no command, last changed strictly before the cutoff of their status (a status without cutoff
   * is never returned). At most `limit` (default 10), in any order. Never returns a running,
   * suspended or compensating saga.
   */
  findFinished?(cutoffs: FinishedSagaCutoffs, limit?: number): Promise<SagaState[]>;
  /**
   * Optional. Removes each listed saga whose stored version still equals the given one and that
   * is still finished, and returns the ids it removed; the others are kept, silently (a saga
   * saved since it was found has another version — that is the optimistic-concurrency guard). A
   * removed saga frees its `(sagaType, correlationId)`; saving a stale copy of it afterwards is a
   * `ConcurrencyError`.
   */
  deleteFinished?(sagas: readonly StoredSagaRef[]): Promise<string[]>;
}

/** A {@link SagaRepository} that implements the optional removal of finished sagas. */
export type RemovingSagaRepository = SagaRepository &
  Required<Pick<SagaRepository, 'findFinished' | 'deleteFinished'>>;

/** True when `repository` can remove finished sagas (it has `findFinished` and `deleteFinished`). */
export function canRemoveFinishedSagas(
  repository: SagaRepository,
): repository is RemovingSagaRepository {
  return (
    typeof repository.findFinished === 'function' && typeof repository.deleteFinished === 'function'
  );
}
