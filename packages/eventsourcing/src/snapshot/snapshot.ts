/** The saved state of an aggregate at a version. */
export interface Snapshot {
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** The aggregate version the state reflects. */
  readonly version: number;
  /** JSON state (the aggregate's `toJSON()` minus id and version). */
  readonly state: Readonly<Record<string, unknown>>;
  /** Version of the state's shape; bump it when the aggregate's fields change. */
  readonly schemaVersion: number;
  /** ISO-8601. */
  readonly createdAt: string;
}

/** Stores the latest snapshot per aggregate. */
export interface SnapshotStore {
  /** Saves `snapshot`, replacing the previous one of the same type and id. */
  save(snapshot: Snapshot): Promise<void>;
  /** The latest snapshot, or `undefined`. */
  get(aggregateType: string, aggregateId: string): Promise<Snapshot | undefined>;
  /** Forgets the snapshot (after a tombstone). */
  delete?(aggregateType: string, aggregateId: string): Promise<void>;
}

/** Decides when to take a snapshot. Synchronous: it runs on every save. */
export interface SnapshotPolicy {
  shouldSnapshot(input: {
    readonly aggregateType: string;
    readonly aggregateId: string;
    /** Version after the save. */
    readonly version: number;
    /** Events appended by this save. */
    readonly newEvents: number;
    /** Version of the last snapshot, 0 when none. */
    readonly lastSnapshotVersion: number;
  }): boolean;
}

/**
 * Decides whether a loaded snapshot may be used. Returning false replays the stream in full. An
 * error with code `STALE_SNAPSHOT` makes the load fail with it (no replay); any other error is
 * reported to `onSnapshotError` and the stream is replayed.
 */
export interface SnapshotSchemaPolicy {
  shouldUseSnapshot(snapshot: Snapshot, expectedSchemaVersion: number): boolean;
}

/** Stores a checkpoint (a global position) per subscription. */
export interface CheckpointStore {
  /** The saved position, 0 when none. */
  load(subscriptionId: string): Promise<number>;
  /** Saves (overwrites) the position. */
  save(subscriptionId: string, position: number): Promise<void>;
  /** Forgets the checkpoint (rebuild). */
  reset?(subscriptionId: string): Promise<void>;
}
