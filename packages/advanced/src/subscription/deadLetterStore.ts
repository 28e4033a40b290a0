import type { StoredEvent } from '@pd/eventsourcing';

/** An event a subscription gave up on and skipped (poison-event policy `'skip'`). */
export interface SubscriptionDeadLetter {
  readonly subscriptionId: string;
  /** The event as stored (before upcasting), so it can be replayed once the handler is fixed. */
  readonly event: StoredEvent;
  /** The last failure. */
  readonly error: unknown;
  readonly attempts: number;
  readonly failedAt: Date;
}

/**
 * Where a {@link SubscriptionRunner} parks events it skips, so an operator can inspect and replay
 * them instead of losing them. The runner writes the record before it moves the checkpoint past
 * the event: a crash in between redelivers the event rather than dropping it.
 */
export interface DeadLetterStore {
  add(record: SubscriptionDeadLetter): Promise<void> | void;
}

/**
 * A {@link DeadLetterStore} in memory, in arrival order. For tests and single-process apps.
 *
 * @example
 * const deadLetters = new InMemoryDeadLetterStore();
 * new SubscriptionRunner({ eventStore, checkpointStore, deadLetters,
 *   onPoisonEvent: { retries: 3, onExhausted: 'skip' } });
 */
export class InMemoryDeadLetterStore implements DeadLetterStore {
  readonly #records: SubscriptionDeadLetter[] = [];

  add(record: SubscriptionDeadLetter): void {
    this.#records.push(Object.freeze({ ...record }));
  }

  /** The records so far, oldest first; only those of `subscriptionId` when given. */
  records(subscriptionId?: string): readonly SubscriptionDeadLetter[] {
    return this.#records.filter(
      (r) => subscriptionId === undefined || r.subscriptionId === subscriptionId,
    );
  }

  /** Forgets every record (after replaying them, for example). */
  clear(): void {
    this.#records.length = 0;
  }
}
