import { ValidationError } from '@pd/ddd';
import type { Snapshot, SnapshotStore } from './snapshot.js';

/**
 * A snapshot store held in memory: the latest snapshot per (aggregate type, id). Snapshots are
 * deep-copied on the way in and out, so neither the saver nor a loader can change what is stored.
 *
 * @example
 * const snapshots = new InMemorySnapshotStore();
 * const orders = new EventSourcedRepository(store, Order, { snapshotStore: snapshots, snapshotPolicy });
 */
export class InMemorySnapshotStore implements SnapshotStore {
  readonly #snapshots = new Map<string, Snapshot>();

  async save(snapshot: Snapshot): Promise<void> {
    if (typeof snapshot !== 'object' || snapshot === null) {
      throw ValidationError.of('SnapshotStore', 'snapshot', 'expected a snapshot');
    }
    for (const field of ['aggregateType', 'aggregateId'] as const) {
      if (typeof snapshot[field] !== 'string' || snapshot[field] === '') {
        throw ValidationError.of('SnapshotStore', field, `${field} must be a non-empty string`);
      }
    }
    for (const field of ['version', 'schemaVersion'] as const) {
      if (!Number.isSafeInteger(snapshot[field]) || snapshot[field] < 0) {
        throw ValidationError.of('SnapshotStore', field, `${field} must be a non-negative integer`);
      }
    }
    this.#snapshots.set(
      key(snapshot.aggregateType, snapshot.aggregateId),
      structuredClone(snapshot),
    );
  }

  async get(aggregateType: string, aggregateId: string): Promise<Snapshot | undefined> {
    const snapshot = this.#snapshots.get(key(aggregateType, aggregateId));
    return snapshot === undefined ? undefined : structuredClone(snapshot);
  }

  async delete(aggregateType: string, aggregateId: string): Promise<void> {
    this.#snapshots.delete(key(aggregateType, aggregateId));
  }

  /** How many snapshots are stored. */
  get size(): number {
    return this.#snapshots.size;
  }
}

function key(aggregateType: string, aggregateId: string): string {
  return JSON.stringify([aggregateType, aggregateId]);
}
