import { ValidationError } from '@pd/ddd';
import type { SnapshotPolicy } from '@pd/eventsourcing';

/**
 * Takes a snapshot once at least `threshold` events were appended since the last snapshot (or
 * since the start of the stream when there is none). Counting from the last snapshot, rather than
 * testing `version % threshold === 0`, means a save that appends several events and jumps over a
 * multiple (9 → 11 with a threshold of 10) still snapshots.
 *
 * `threshold = 0` snapshots on every save that appended events; `threshold = 1` on every save.
 * Type and id are ignored. Synchronous: it runs inside every save.
 *
 * @example
 * new EventSourcedRepository(eventStore, Order, {
 *   snapshotStore, snapshotPolicy: new SnapshotThresholdPolicy(100),
 * });
 */
export class SnapshotThresholdPolicy implements SnapshotPolicy {
  /** Events between two snapshots. */
  readonly threshold: number;

  /** @throws ValidationError (field `threshold`) unless `threshold` is a non-negative integer. */
  constructor(threshold = 10) {
    if (!Number.isInteger(threshold) || threshold < 0) {
      throw ValidationError.of(
        'SnapshotThresholdPolicy',
        'threshold',
        `must be a non-negative integer, got ${threshold}`,
      );
    }
    this.threshold = threshold;
  }

  shouldSnapshot(input: {
    readonly aggregateType: string;
    readonly aggregateId: string;
    readonly version: number;
    readonly newEvents: number;
    readonly lastSnapshotVersion: number;
  }): boolean {
    if (input.newEvents <= 0) return false;
    if (this.threshold === 0) return true;
    return input.version - input.lastSnapshotVersion >= this.threshold;
  }
}
