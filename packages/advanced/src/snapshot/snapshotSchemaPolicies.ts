import type { Snapshot, SnapshotSchemaPolicy } from '@pd/eventsourcing';
import { StaleSnapshotError } from './staleSnapshotError.js';

/** What a schema policy does with a snapshot it cannot use. */
export type StaleSnapshotAction =
  /** Ignore the snapshot, silently: the repository replays the whole stream (the default). */
  | 'replay'
  /**
   * Throw {@link StaleSnapshotError} (code `STALE_SNAPSHOT`): the repository's `getById` fails
   * with it, without replaying and without reporting it to `onSnapshotError`.
   */
  | 'throw';

/** Options of the snapshot schema policies. */
export interface SnapshotSchemaPolicyOptions {
  /** Default `'replay'`. */
  readonly onStale?: StaleSnapshotAction;
}

/**
 * Uses a snapshot only when its schema version equals the one the aggregate expects. An older
 * snapshot (taken before the aggregate's fields changed) and a newer one (taken by a newer
 * deployment, e.g. after a rollback) are both rejected, so the repository falls back to a full
 * replay, which is always correct; the ignored snapshot does not count as the last one taken, so
 * the snapshot policy replaces it as soon as it would snapshot a stream without one. With
 * `onStale: 'throw'` the policy throws {@link StaleSnapshotError} instead, and the repository's
 * `getById` fails with that error: for streams where a full replay is not acceptable. A snapshot
 * store that fails or a snapshot that cannot be restored still only costs a replay (reported to
 * `onSnapshotError`), whatever `onStale` says.
 *
 * @example
 * new EventSourcedRepository(eventStore, Order, { snapshotStore, snapshotPolicy,
 *   snapshotSchemaPolicy: new RejectStaleSnapshotPolicy() });
 */
export class RejectStaleSnapshotPolicy implements SnapshotSchemaPolicy {
  readonly onStale: StaleSnapshotAction;

  constructor(options: SnapshotSchemaPolicyOptions = {}) {
    this.onStale = options.onStale ?? 'replay';
  }

  shouldUseSnapshot(snapshot: Snapshot, expectedSchemaVersion: number): boolean {
    if (snapshot.schemaVersion === expectedSchemaVersion) return true;
    if (this.onStale === 'throw') throw new StaleSnapshotError(snapshot, expectedSchemaVersion);
    return false;
  }
}

/**
 * Uses a snapshot whose schema version is the expected one or older, and rejects a newer one.
 * For aggregates whose state only ever grows compatibly (new fields with defaults), where an old
 * snapshot still rebuilds a valid aggregate through its schema; a snapshot from a newer
 * deployment may carry a shape this code does not know, so it is never trusted. A rejected
 * snapshot is handled as by {@link RejectStaleSnapshotPolicy}: a full replay, or with
 * `onStale: 'throw'` a failed load ({@link StaleSnapshotError}).
 *
 * @example
 * snapshotSchemaPolicy: new AcceptOlderSnapshotPolicy()
 */
export class AcceptOlderSnapshotPolicy implements SnapshotSchemaPolicy {
  readonly onStale: StaleSnapshotAction;

  constructor(options: SnapshotSchemaPolicyOptions = {}) {
    this.onStale = options.onStale ?? 'replay';
  }

  shouldUseSnapshot(snapshot: Snapshot, expectedSchemaVersion: number): boolean {
    if (snapshot.schemaVersion <= expectedSchemaVersion) return true;
    if (this.onStale === 'throw') throw new StaleSnapshotError(snapshot, expectedSchemaVersion);
    return false;
  }
}
