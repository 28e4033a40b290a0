import type { Outbox, OutboxRecord } from '@pd/bus';
import type { UnitOfWorkContext } from '@pd/cqrs';
import {
  type AnyDomainEvent,
  type Clock,
  type DomainEventJSON,
  domainDefaults,
  type IdGenerator,
  ValidationError,
} from '@pd/ddd';
import { resolveExecutor } from '../executor/ambientTransaction.js';
import type { SqlExecutor } from '../executor/sqlExecutor.js';
import { assertSchemaName, DEFAULT_SCHEMA, quoteIdent } from '../schema/identifier.js';

/** Options of {@link PostgresOutbox}. */
export interface PostgresOutboxOptions {
  /** Schema holding the tables (default `'pd'`). */
  readonly schema?: string;
  /** How long a claim hides a record from other relays, in ms (default 30 000). */
  readonly leaseMs?: number;
  /** Stamps `createdAt`. Default: the domain defaults' clock. */
  readonly clock?: Clock;
  /** Mints record ids. Default: the domain defaults' generator (UUIDv7). */
  readonly idGenerator?: IdGenerator<string>;
  /** Chooses the broker topic of an event; `null` when it has none. Default: none. */
  readonly topicFor?: (event: AnyDomainEvent) => string | null;
}

const OWNER = 'PostgresOutbox';

interface OutboxRow {
  readonly seq: string | number;
  readonly id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly event: DomainEventJSON;
  readonly topic: string | null;
  readonly command_id: string | null;
  readonly attempts: number;
  readonly created_ms: number;
  readonly last_error: string | null;
}

/**
 * The bus {@link Outbox} on PostgreSQL. `write` inserts all of a command's events in one statement
 * and, called from a {@link PostgresUnitOfWork} commit (pass it as the unit of work's `outbox`), in
 * the command's transaction. Relays `claim` with `FOR UPDATE SKIP LOCKED` and a lease, so several
 * relays (threads or processes) share the work without handing a record to two of them at once;
 * a relay that dies leaves its records to be claimed again when the lease runs out.
 *
 * @example
 * const outbox = new PostgresOutbox(db, { schema: 'shop' });
 * const uow = () => new PostgresUnitOfWork(db, { schema: 'shop', outbox });
 * const relay = new OutboxRelay(outbox, publish);
 */
export class PostgresOutbox implements Outbox {
  readonly #executor: SqlExecutor;
  readonly #options: PostgresOutboxOptions;
  readonly #leaseMs: number;
  readonly #write: string;
  readonly #claim: string;
  readonly #markSent: string;
  readonly #markFailed: string;
  readonly #pending: string;

  constructor(executor: SqlExecutor, options: PostgresOutboxOptions = {}) {
    const s = quoteIdent(assertSchemaName(options.schema ?? DEFAULT_SCHEMA, OWNER));
    const leaseMs = options.leaseMs ?? 30_000;
    if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0) {
      throw ValidationError.of(
        OWNER,
        'leaseMs',
        'must be a positive integer number of milliseconds',
      );
    }
    this.#executor = executor;
    this.#options = options;
    this.#leaseMs = leaseMs;
    const columns = `o.seq, o.id, o.event_id, o.event_type, o.event, o.topic, o.command_id, o.attempts,
      (extract(epoch FROM o.created_at) * 1000)::float8 AS created_ms, o.last_error`;
    this.#write = `INSERT INTO ${s}.outbox (id, event_id, event_type, event, topic, command_id, created_at)
      SELECT u.id, u.event_id, u.event_type, u.event::jsonb, u.topic, $6, $7
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
        WITH ORDINALITY AS u(id, event_id, event_type, event, topic, ord)
      ORDER BY u.ord
      ON CONFLICT (event_id) DO NOTHING`;
    this.#claim = `UPDATE ${s}.outbox o SET attempts = o.attempts + 1, leased_until = $2
      FROM (
        SELECT id FROM ${s}.outbox
        WHERE NOT dead AND (available_at IS NULL OR available_at <= $1) AND (leased_until IS NULL OR leased_until <= $1)
        ORDER BY seq LIMIT $3
        FOR UPDATE SKIP LOCKED
      ) due
      WHERE o.id = due.id
      RETURNING ${columns}`;
    this.#markSent = `DELETE FROM ${s}.outbox WHERE id = ANY($1::text[])`;
    this.#markFailed = `UPDATE ${s}.outbox SET last_error = $2, leased_until = NULL, available_at = $3, dead = ($3::timestamptz IS NULL)
      WHERE id = $1`;
    this.#pending = `SELECT ${columns} FROM ${s}.outbox o WHERE dead = $1 ORDER BY seq`;
  }

  /** The same outbox writing through `executor` (e.g. an open transaction). */
  withExecutor(executor: SqlExecutor): PostgresOutbox {
    return new PostgresOutbox(executor, this.#options);
  }

  async write(events: readonly AnyDomainEvent[], context: UnitOfWorkContext): Promise<void> {
    if (events.length === 0) return;
    const defaults = domainDefaults();
    const ids = this.#options.idGenerator ?? defaults.idGenerator;
    const clock = this.#options.clock ?? defaults.clock;
    const recordIds: string[] = [];
    const eventIds: string[] = [];
    const types: string[] = [];
    const bodies: string[] = [];
    const topics: (string | null)[] = [];
    for (const event of events) {
      recordIds.push(ids.generate());
      eventIds.push(event.eventId);
      types.push(event.eventType);
      bodies.push(JSON.stringify(event.toJSON()));
      topics.push(this.#options.topicFor?.(event) ?? null);
    }
    await resolveExecutor(this.#executor).query(this.#write, [
      recordIds,
      eventIds,
      types,
      bodies,
      topics,
      context.commandId,
      clock.now(),
    ]);
  }

  async claim(batchSize: number, now: Date): Promise<readonly OutboxRecord[]> {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw ValidationError.of('Outbox.claim', 'batchSize', 'must be a positive integer');
    }
    const rows = await resolveExecutor(this.#executor).query<OutboxRow>(this.#claim, [
      now,
      new Date(now.getTime() + this.#leaseMs),
      batchSize,
    ]);
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toRecord);
  }

  async markSent(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await resolveExecutor(this.#executor).query(this.#markSent, [ids]);
  }

  async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    await resolveExecutor(this.#executor).query(this.#markFailed, [id, error, retryAt]);
  }

  /** Records still to deliver (claimed or not), oldest first. */
  async pending(): Promise<readonly OutboxRecord[]> {
    return (await resolveExecutor(this.#executor).query<OutboxRow>(this.#pending, [false])).map(
      toRecord,
    );
  }

  /** Records parked for good (`markFailed(…, null)`), oldest first. */
  async dead(): Promise<readonly OutboxRecord[]> {
    return (await resolveExecutor(this.#executor).query<OutboxRow>(this.#pending, [true])).map(
      toRecord,
    );
  }
}

function toRecord(row: OutboxRow): OutboxRecord {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    event: row.event,
    topic: row.topic,
    commandId: row.command_id,
    attempts: Number(row.attempts),
    createdAt: new Date(row.created_ms),
    lastError: row.last_error,
  };
}
