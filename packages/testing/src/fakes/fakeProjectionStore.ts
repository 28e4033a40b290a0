import { InMemoryProjectionStore } from '@pd/cqrs';

/** One successful {@link FakeProjectionStore.save}. */
export interface RecordedProjectionSave<TState> {
  readonly projectionId: string;
  readonly state: TState;
}

/**
 * The cqrs {@link InMemoryProjectionStore} (copies in and out, overwrite on save) that also
 * records a copy of every state saved, in order.
 */
export class FakeProjectionStore<TState = unknown> extends InMemoryProjectionStore<TState> {
  readonly #saves: RecordedProjectionSave<TState>[] = [];

  override async save(projectionId: string, state: TState): Promise<void> {
    await super.save(projectionId, state);
    this.#saves.push(Object.freeze({ projectionId, state: structuredClone(state) }));
  }

  /** Copies of the saved states, in order. */
  get saves(): readonly RecordedProjectionSave<TState>[] {
    return [...this.#saves];
  }
}
