import type { EventSink, UnitOfWorkContext } from '@pd/cqrs';
import type { AnyDomainEvent, DomainEventJSON } from '@pd/ddd';

/** One event waiting in the outbox, as the relay sees it. */
export interface OutboxRecord {
  /** The outbox row id (what `markSent` / `markFailed` take). */
  readonly id: string;
  /** The event's own id: consumers dedupe on it, because delivery is at-least-once. */
  readonly eventId: string;
  readonly eventType: string;
  /** The event in its JSON form, ready to publish or to rebuild with an `EventRegistry`. */
  readonly event: DomainEventJSON;
  /** Where to publish it, when the outbox was told (`topicFor`); `null` otherwise. */
  readonly topic: string | null;
  /** The command that produced it. */
  readonly commandId: string | null;
  /** Delivery attempts started so far, this claim included. */
  readonly attempts: number;
  readonly createdAt: Date;
  /** Message of the last failed attempt. */
  readonly lastError: string | null;
}

/**
 * The transactional outbox. The write side is the cqrs {@link EventSink}: a unit of work built
 * with `{ outbox }` writes a committing command's stamped events here inside its transaction, so
 * they are stored if and only if the state change is. The relay side hands them out:
 *
 * - `claim(batchSize, now)` leases up to `batchSize` due records, oldest first, and increments
 *   their `attempts`; a claimed record is invisible to other relays until it is released by
 *   `markFailed` or its lease expires (so a relay that crashes mid-batch loses nothing);
 * - `markSent(ids)` removes delivered records;
 * - `markFailed(id, error, retryAt)` releases a record for another attempt at `retryAt`, or parks
 *   it for good when `retryAt` is `null` (dead).
 *
 * Implemented by {@link InMemoryOutbox} and the PostgreSQL adapter.
 */
export interface Outbox extends EventSink {
  write(events: readonly AnyDomainEvent[], context: UnitOfWorkContext): Promise<void>;
  claim(batchSize: number, now: Date): Promise<readonly OutboxRecord[]>;
  markSent(ids: readonly string[]): Promise<void>;
  markFailed(id: string, error: string, retryAt: Date | null): Promise<void>;
}
