import type { UnitOfWorkContext } from '@pd/cqrs';
import {
  type AnyDomainEvent,
  type Clock,
  domainDefaults,
  type IdGenerator,
  ValidationError,
} from '@pd/ddd';
import type { Outbox, OutboxRecord } from './outbox.js';

/** Options of {@link InMemoryOutbox}. */
export interface InMemoryOutboxOptions {
  /** How long a claim hides a record from other relays, in ms (default 30 000). */
  readonly leaseMs?: number;
  /** Stamps `createdAt`. Default: the domain defaults' clock. */
  readonly clock?: Clock;
  /** Mints record ids. Default: the domain defaults' generator (UUIDv7). */
  readonly idGenerator?: IdGenerator<string>;
  /** Chooses the broker topic of an event; `null` when it has none. Default: none. */
  readonly topicFor?: (event: AnyDomainEvent) => string | null;
}

interface Row {
  record: OutboxRecord;
  availableAt: Date | null;
  leasedUntil: Date | null;
  dead: boolean;
}

/**
 * An {@link Outbox} in process memory. Writes are immediate (there is no transaction to join), and
 * an event id already in the outbox is not written twice. A unit of work that rolls back after its
 * write takes the records back ({@link retract}), so a failed command publishes nothing, unless a
 * relay already claimed them in between. For tests, examples and single-process applications; use
 * the PostgreSQL outbox when the state lives in PostgreSQL.
 *
 * @example
 * const outbox = new InMemoryOutbox();
 * const uow = () => new InMemoryUnitOfWork({ outbox });
 */
export class InMemoryOutbox implements Outbox {
  readonly #rows = new Map<string, Row>();
  readonly #eventIds = new Set<string>();
  readonly #leaseMs: number;
  readonly #options: InMemoryOutboxOptions;

  constructor(options: InMemoryOutboxOptions = {}) {
    const leaseMs = options.leaseMs ?? 30_000;
    if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
      throw ValidationError.of(
        'InMemoryOutbox',
        'leaseMs',
        'must be a positive number of milliseconds',
      );
    }
    this.#leaseMs = leaseMs;
    this.#options = options;
  }

  async write(events: readonly AnyDomainEvent[], context: UnitOfWorkContext): Promise<void> {
    const defaults = domainDefaults();
    const clock = this.#options.clock ?? defaults.clock;
    const ids = this.#options.idGenerator ?? defaults.idGenerator;
    for (const event of events) {
      if (this.#eventIds.has(event.eventId)) continue;
      const record: OutboxRecord = Object.freeze({
        id: ids.generate(),
        eventId: event.eventId,
        eventType: event.eventType,
        event: event.toJSON(),
        topic: this.#options.topicFor?.(event) ?? null,
        commandId: context.commandId,
        attempts: 0,
        createdAt: clock.now(),
        lastError: null,
      });
      this.#eventIds.add(event.eventId);
      this.#rows.set(record.id, { record, availableAt: null, leasedUntil: null, dead: false });
    }
  }

  /**
   * Removes the records of `events` that no relay has claimed yet: the unit of work that wrote
   * them rolled back. A record already claimed (its publish may be under way) stays, and is
   * delivered at least once like any other.
   */
  async retract(events: readonly AnyDomainEvent[]): Promise<void> {
    const ids = new Set(events.map((event) => event.eventId));
    for (const [rowId, row] of this.#rows) {
      if (!ids.has(row.record.eventId) || row.record.attempts > 0) continue;
      this.#rows.delete(rowId);
      this.#eventIds.delete(row.record.eventId);
    }
  }

  async claim(batchSize: number, now: Date): Promise<readonly OutboxRecord[]> {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw ValidationError.of('Outbox.claim', 'batchSize', 'must be a positive integer');
    }
    const at = now.getTime();
    const claimed: OutboxRecord[] = [];
    for (const row of this.#rows.values()) {
      if (claimed.length >= batchSize) break;
      if (row.dead) continue;
      if (row.availableAt !== null && row.availableAt.getTime() > at) continue;
      if (row.leasedUntil !== null && row.leasedUntil.getTime() > at) continue;
      row.record = Object.freeze({ ...row.record, attempts: row.record.attempts + 1 });
      row.leasedUntil = new Date(at + this.#leaseMs);
      claimed.push(row.record);
    }
    return claimed;
  }

  async markSent(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#rows.delete(id);
  }

  async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    const row = this.#rows.get(id);
    if (row === undefined) return;
    row.record = Object.freeze({ ...row.record, lastError: error });
    row.leasedUntil = null;
    if (retryAt === null) row.dead = true;
    else row.availableAt = retryAt;
  }

  /** Records still to deliver (claimed or not), oldest first. */
  pending(): readonly OutboxRecord[] {
    return [...this.#rows.values()].filter((row) => !row.dead).map((row) => row.record);
  }

  /** Records parked for good (`markFailed(…, null)`), oldest first. */
  dead(): readonly OutboxRecord[] {
    return [...this.#rows.values()].filter((row) => row.dead).map((row) => row.record);
  }
}
