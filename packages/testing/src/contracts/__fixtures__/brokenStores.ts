// Deliberately broken implementations: each contract suite must report failures for them.
import { InMemoryOutbox, type OutboxRecord } from '@pd/bus';
import { type ClaimResult, InMemoryLockProvider, InMemoryProcessedCommandStore } from '@pd/cqrs';
import type { AnyDomainEvent } from '@pd/ddd';
import {
  type AppendOptions,
  type AppendResult,
  DuplicateCommandError,
  InMemoryCheckpointStore,
  InMemoryEventStore,
  InMemorySnapshotStore,
  type Snapshot,
} from '@pd/eventsourcing';

/** Ignores expected versions: every append behaves as `'any'`. */
export class VersionBlindEventStore extends InMemoryEventStore {
  override appendToStream(
    streamId: string,
    events: readonly AnyDomainEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    return super.appendToStream(streamId, events, { ...options, expectedVersion: 'any' });
  }
}

/** pydomain's quirk: records the command id before the version check, so a failed append burns it. */
export class IdBurningEventStore extends InMemoryEventStore {
  readonly #seen = new Set<string>();
  override async appendToStream(
    streamId: string,
    events: readonly AnyDomainEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const key = `${streamId}\u0000${options.commandId ?? ''}`;
    if (options.commandId) {
      if (this.#seen.has(key)) throw new DuplicateCommandError(streamId, options.commandId);
      this.#seen.add(key);
    }
    return super.appendToStream(streamId, events, options);
  }
}

/** Keeps the first snapshot of each aggregate forever. */
export class FirstSnapshotWinsStore extends InMemorySnapshotStore {
  override async save(snapshot: Snapshot): Promise<void> {
    if ((await this.get(snapshot.aggregateType, snapshot.aggregateId)) === undefined) {
      await super.save(snapshot);
    }
  }
}

/** Never overwrites a saved checkpoint. */
export class StickyCheckpointStore extends InMemoryCheckpointStore {
  readonly #saved = new Set<string>();
  override async save(subscriptionId: string, position: number): Promise<void> {
    if (this.#saved.has(subscriptionId)) return;
    this.#saved.add(subscriptionId);
    await super.save(subscriptionId, position);
  }
}

/** Lets every claimer win: no in-flight detection. */
export class EveryoneWinsProcessedCommandStore extends InMemoryProcessedCommandStore {
  override async claim(commandId: string): Promise<ClaimResult> {
    const result = await super.claim(commandId);
    return result === 'in-flight' ? 'claimed' : result;
  }
}

/** Hands out every key at once: no mutual exclusion. */
export class NoOpLockProvider extends InMemoryLockProvider {
  override async acquire(): Promise<void> {}
  override async release(): Promise<void> {}
}

/** Forgets leases: every claim returns every pending record again. */
export class LeaselessOutbox extends InMemoryOutbox {
  override async claim(batchSize: number, now: Date): Promise<readonly OutboxRecord[]> {
    const pending = this.pending().slice(0, batchSize);
    await super.claim(batchSize, now);
    return pending.map((record) => ({ ...record, attempts: record.attempts + 1 }));
  }
}
