import { DomainError } from '@pd/ddd';
import type { Snapshot } from '@pd/eventsourcing';

/**
 * A snapshot's schema version is one the schema policy cannot use, and the policy was told to
 * fail rather than fall back to a full replay ({@link RejectStaleSnapshotPolicy} or
 * {@link AcceptOlderSnapshotPolicy} with `onStale: 'throw'`). `EventSourcedRepository.getById`
 * fails with it (the repository recognises the code `STALE_SNAPSHOT`, so a policy of your own can
 * throw it too). Useful where replaying the whole stream is not acceptable (archived events, very
 * long streams), so a forgotten snapshot migration is noticed instead of silently slowing every
 * load.
 *
 * @example
 * try { await orders.getById(id) } catch (e) {
 *   if (isPdError(e, 'STALE_SNAPSHOT')) alert(`${e.aggregateType} ${e.aggregateId}: v${e.snapshotSchemaVersion}`)
 * }
 */
export class StaleSnapshotError extends DomainError<'STALE_SNAPSHOT'> {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly snapshotSchemaVersion: number;
  readonly expectedSchemaVersion: number;

  constructor(
    snapshot: Pick<Snapshot, 'aggregateType' | 'aggregateId' | 'schemaVersion'>,
    expectedSchemaVersion: number,
  ) {
    super(
      `Snapshot of ${snapshot.aggregateType} ${snapshot.aggregateId} has schema version ${snapshot.schemaVersion}, expected ${expectedSchemaVersion}`,
      { code: 'STALE_SNAPSHOT' },
    );
    this.aggregateType = snapshot.aggregateType;
    this.aggregateId = snapshot.aggregateId;
    this.snapshotSchemaVersion = snapshot.schemaVersion;
    this.expectedSchemaVersion = expectedSchemaVersion;
  }
}
