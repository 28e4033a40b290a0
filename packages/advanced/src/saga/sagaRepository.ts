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
 */
export interface SagaRepository {
  save(state: AnySagaState, options?: SagaSaveOptions): Promise<void>;
  getById(id: string): Promise<SagaState | undefined>;
  findByCorrelationId(correlationId: string, sagaType: string): Promise<SagaState | undefined>;
  findStalled(limit?: number): Promise<SagaState[]>;
  findSuspended(limit?: number): Promise<SagaState[]>;
  findExpiredSuspended(now: Date, limit?: number): Promise<SagaState[]>;
}
