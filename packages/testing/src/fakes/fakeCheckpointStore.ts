import { InMemoryCheckpointStore } from '@pd/eventsourcing';

/** One successful {@link FakeCheckpointStore.save}. */
export interface RecordedCheckpoint {
  readonly subscriptionId: string;
  readonly position: number;
}

/**
 * The eventsourcing {@link InMemoryCheckpointStore} (0 by default, overwrite on save) that also
 * records every save and reset, so a test can see how a subscription advanced.
 */
export class FakeCheckpointStore extends InMemoryCheckpointStore {
  readonly #saves: RecordedCheckpoint[] = [];
  readonly #resets: string[] = [];

  override async save(subscriptionId: string, position: number): Promise<void> {
    await super.save(subscriptionId, position);
    this.#saves.push(Object.freeze({ subscriptionId, position }));
  }

  override async reset(subscriptionId: string): Promise<void> {
    await super.reset(subscriptionId);
    this.#resets.push(subscriptionId);
  }

  /** Successful saves, in order. */
  get saves(): readonly RecordedCheckpoint[] {
    return [...this.#saves];
  }

  /** Reset subscription ids, in order. */
  get resets(): readonly string[] {
    return [...this.#resets];
  }
}
