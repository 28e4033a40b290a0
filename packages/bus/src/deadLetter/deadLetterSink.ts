import type { AnyDomainEvent } from '@pd/ddd';
import type { OutboxRecord } from '../outbox/outbox.js';

/** An event handler that kept failing (after its retries, if any). */
export interface HandlerDeadLetter {
  readonly source: 'event-handler';
  readonly event: AnyDomainEvent;
  readonly handlerName: string;
  readonly error: unknown;
  readonly attempts: number;
  readonly failedAt: Date;
}

/** An outbox record the relay gave up on after `maxAttempts` publish attempts. */
export interface OutboxDeadLetter {
  readonly source: 'outbox-relay';
  readonly record: OutboxRecord;
  readonly error: unknown;
  readonly attempts: number;
  readonly failedAt: Date;
}

/** An inbound message that could not be read (poison): it is acknowledged and parked here. */
export interface InboundDeadLetter {
  readonly source: 'inbound-gateway';
  readonly topic: string;
  readonly payload: unknown;
  readonly error: unknown;
  readonly attempts: number;
  readonly failedAt: Date;
}

/** Anything parked in a {@link DeadLetterSink}; `source` tells which part of the bus gave up. */
export type DeadLetterRecord = HandlerDeadLetter | OutboxDeadLetter | InboundDeadLetter;

/**
 * Where messages go when pd stops retrying them, so an operator can inspect and replay them
 * instead of losing them. Implement it over a table, a queue or an alerting hook.
 */
export interface DeadLetterSink {
  add(record: DeadLetterRecord): Promise<void> | void;
}

/**
 * A {@link DeadLetterSink} that keeps records in memory, in arrival order. For tests and
 * single-process applications.
 *
 * @example
 * const dead = new InMemoryDeadLetterSink();
 * new MessageBus({ errorPolicy: deadLetter(dead) });
 */
export class InMemoryDeadLetterSink implements DeadLetterSink {
  readonly #records: DeadLetterRecord[] = [];

  add(record: DeadLetterRecord): void {
    this.#records.push(Object.freeze({ ...record }));
  }

  /** Every record so far, oldest first. */
  get records(): readonly DeadLetterRecord[] {
    return [...this.#records];
  }

  /** Forgets every record (after they have been replayed, for example). */
  clear(): void {
    this.#records.length = 0;
  }
}
