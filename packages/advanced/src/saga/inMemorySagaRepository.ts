import { ConcurrencyError, setEntityVersion } from '@pd/ddd';
import type {
  AnySagaState,
  RemovingSagaRepository,
  SagaSaveOptions,
  StoredSagaRef,
} from './sagaRepository.js';
import type { FinishedSagaCutoffs } from './sagaRetentionPolicy.js';
import { SagaState, type SagaStateJSON } from './sagaState.js';
import { SagaStatus } from './sagaStatus.js';

/**
 * A {@link SagaRepository} in memory, for tests and single-process use. It keeps JSON copies, so
 * nothing you do to a loaded state leaks into the store before `save`, and it enforces optimistic
 * concurrency against the loaded version exactly as a database adapter must. It implements the
 * optional removal of finished sagas too.
 *
 * @example
 * const repository = new InMemorySagaRepository();
 * const manager = new SagaManager(repository, registry, bus, { commandTypes });
 */
export class InMemorySagaRepository implements RemovingSagaRepository {
  readonly #rows = new Map<string, string>();
  readonly #byCorrelation = new Map<string, string>();

  async save(state: AnySagaState, options: SagaSaveOptions = {}): Promise<void> {
    const expected = options.expectedVersion ?? state.version;
    const stored = this.#read(state.id);
    const actual = stored?.version ?? 0;
    if (actual !== expected) throw new ConcurrencyError(`saga-${state.id}`, expected, actual);
    const key = correlationKey(state.sagaType, state.correlationId);
    const owner = this.#byCorrelation.get(key);
    if (owner !== undefined && owner !== state.id) {
      throw new ConcurrencyError(`saga ${state.sagaType}/${state.correlationId}`, 0, 1, {
        message: `A ${state.sagaType} saga already exists for correlation ${state.correlationId}`,
      });
    }
    const next = expected + 1;
    this.#rows.set(state.id, JSON.stringify({ ...state.toJSON(), version: next }));
    this.#byCorrelation.set(key, state.id);
    setEntityVersion(state, next);
    state.clearEvents();
  }

  async getById(id: string): Promise<SagaState | undefined> {
    const json = this.#read(id);
    return json === undefined ? undefined : SagaState.fromJSON(json);
  }

  async findByCorrelationId(
    correlationId: string,
    sagaType: string,
  ): Promise<SagaState | undefined> {
    const id = this.#byCorrelation.get(correlationKey(sagaType, correlationId));
    return id === undefined ? undefined : this.getById(id);
  }

  async findStalled(limit = 10): Promise<SagaState[]> {
    return this.#find(limit, (state) => state.isStalled);
  }

  async findSuspended(limit = 10): Promise<SagaState[]> {
    return this.#find(limit, (state) => state.status === SagaStatus.SUSPENDED);
  }

  async findExpiredSuspended(now: Date, limit = 10): Promise<SagaState[]> {
    return this.#find(limit, (state) => state.isExpired(now));
  }

  async findFinished(cutoffs: FinishedSagaCutoffs, limit = 10): Promise<SagaState[]> {
    return this.#find(limit, (state) => state.isDueForRemoval(cutoffs));
  }

  async deleteFinished(sagas: readonly StoredSagaRef[]): Promise<string[]> {
    const removed: string[] = [];
    for (const { id, version } of sagas) {
      const json = this.#read(id);
      if (json === undefined || json.version !== version) continue;
      const state = SagaState.fromJSON(json);
      if (!state.isFinished) continue;
      this.#rows.delete(id);
      const key = correlationKey(state.sagaType, state.correlationId);
      if (this.#byCorrelation.get(key) === id) this.#byCorrelation.delete(key);
      removed.push(id);
    }
    return removed;
  }

  /** How many states are stored. */
  get size(): number {
    return this.#rows.size;
  }

  #find(limit: number, predicate: (state: SagaState) => boolean): SagaState[] {
    const found: SagaState[] = [];
    for (const row of this.#rows.values()) {
      if (found.length >= limit) break;
      const state = SagaState.fromJSON(JSON.parse(row));
      if (predicate(state)) found.push(state);
    }
    return found;
  }

  #read(id: string): SagaStateJSON | undefined {
    const row = this.#rows.get(id);
    return row === undefined ? undefined : (JSON.parse(row) as SagaStateJSON);
  }
}

function correlationKey(sagaType: string, correlationId: string): string {
  return `${sagaType}\u0000${correlationId}`;
}
