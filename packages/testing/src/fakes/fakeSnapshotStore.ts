import { InMemorySnapshotStore, type Snapshot } from '@pd/eventsourcing';

/**
 * The eventsourcing {@link InMemorySnapshotStore} (latest snapshot per aggregate, deep copies in
 * and out) that also records every snapshot saved, in order.
 */
export class FakeSnapshotStore extends InMemorySnapshotStore {
  readonly #saved: Snapshot[] = [];

  override async save(snapshot: Snapshot): Promise<void> {
    await super.save(snapshot);
    this.#saved.push(structuredClone(snapshot));
  }

  /** Copies of every successfully saved snapshot, in order. */
  get saved(): readonly Snapshot[] {
    return [...this.#saved];
  }
}
