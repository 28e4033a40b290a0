import {
  type AnySagaState,
  InMemorySagaRepository,
  type SagaSaveOptions,
  type SagaStateJSON,
} from '@pd/advanced/saga';

/** One successful {@link FakeSagaRepository.save}. */
export interface RecordedSagaSave {
  /** The state as stored (its JSON, with the new version). */
  readonly state: SagaStateJSON;
}

/**
 * The advanced {@link InMemorySagaRepository} (JSON copies in and out, optimistic concurrency
 * against the loaded version, one saga per type and correlation id) that also records a JSON copy
 * of every state it saved, in order — the saga's history as a test sees it.
 *
 * @example
 * const sagas = new FakeSagaRepository();
 * await manager.handle(new OrderPlaced({ … }));
 * sagas.saves.map((s) => s.state.status); // ['PENDING', 'RUNNING', …]
 */
export class FakeSagaRepository extends InMemorySagaRepository {
  readonly #saves: RecordedSagaSave[] = [];

  override async save(state: AnySagaState, options?: SagaSaveOptions): Promise<void> {
    await super.save(state, options);
    this.#saves.push(Object.freeze({ state: state.toJSON() }));
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
