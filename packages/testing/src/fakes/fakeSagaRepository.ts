import {
  type AnySagaState,
  InMemorySagaRepository,
  type SagaSaveOptions,
  type SagaStateJSON,
  type StoredSagaRef,
} from '@pd/advanced/saga';

/** One successful {@link FakeSagaRepository.save}. */
export interface RecordedSagaSave {
  /** The state as stored (its JSON, with the new version). */
  readonly state: SagaStateJSON;
}

/**
 * The advanced {@link InMemorySagaRepository} (JSON copies in and out, optimistic concurrency
 * against the loaded version, one saga per type and correlation id, removal of finished sagas)
 * that also records a JSON copy of every state it saved, in order — the saga's history as a test
 * sees it — and the ids of the sagas it removed.
 *
 * @example
 * const sagas = new FakeSagaRepository();
 * await manager.handle(new OrderPlaced({ … }));
 * sagas.saves.map((s) => s.state.status); // ['PENDING', 'RUNNING', …]
 */
export class FakeSagaRepository extends InMemorySagaRepository {
  readonly #saves: RecordedSagaSave[] = [];
  readonly #removed: string[] = [];

  override async save(state: AnySagaState, options?: SagaSaveOptions): Promise<void> {
    await super.save(state, options);
    this.#saves.push(Object.freeze({ state: state.toJSON() }));
  }

  override async deleteFinished(sagas: readonly StoredSagaRef[]): Promise<string[]> {
    const removed = await super.deleteFinished(sagas);
    this.#removed.push(...removed);
    return removed;
  }

  /** Ids of the sagas removed by `deleteFinished` (a retention policy at work), in order. */
  get removed(): readonly string[] {
    return [...this.#removed];
  }

  /** Successful saves, in order. */
  get saves(): readonly RecordedSagaSave[] {
    return [...this.#saves];
  }

  /** The stored states of one saga id, oldest first. */
  historyOf(sagaId: string): readonly SagaStateJSON[] {
    return this.#saves.filter((s) => s.state.id === sagaId).map((s) => s.state);
  }
}
