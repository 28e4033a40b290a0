import {
  type AnyDomainEvent,
  type Clock,
  ConcurrencyError,
  type DomainEventJSON,
  domainDefaults,
  ValidationError,
} from '@pd/ddd';
import {
  type AppendOptions,
  type AppendResult,
  DuplicateCommandError,
  type EventStore,
  type ExpectedVersion,
  type GlobalSlice,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  StreamDeletedError,
  type StreamMetadata,
  StreamNotFoundError,
  type StreamSlice,
} from '@pd/eventsourcing';
import { pgErrorFields, SqlState } from '../errors/postgresErrors.js';
import { AFTER_COMMIT, rootExecutor, scheduleAfterCommit } from '../executor/afterCommit.js';
import { resolveExecutor } from '../executor/ambientTransaction.js';
import { type InternalQueryOptions, ROWS_AS_ARRAYS, rowValues } from '../executor/rowsAsArrays.js';
import type { SqlExecutor } from '../executor/sqlExecutor.js';
import { statementName } from '../executor/statementName.js';
import { assertSchemaName, DEFAULT_SCHEMA, int32Hash, quoteIdent } from '../schema/identifier.js';
import { appendSignal } from './appendSignal.js';
import { EVENT_COLUMNS, STREAM_EVENT_COLUMNS, toStoredEvents } from './eventRows.js';

/** Options of {@link PostgresEventStore}. */
export interface PostgresEventStoreOptions {
  /** Schema holding the tables (default `'pd'`); run `migrate` for it first. */
  readonly schema?: string;
  /** Stamps `recordedAt` and stream timestamps. Default: the domain defaults' clock. */
  readonly clock?: Clock;
  /**
   * NOTIFY `pd_events_<schema>` after appends commit (default true), so a
   * {@link PostgresEventNotifier} wakes subscribers at once. The NOTIFY is sent on the pool after
   * the commit, not inside the appending transaction, and coalesced (at most one in flight per
   * pool and schema), so appends do not queue on PostgreSQL's notify lock. Turn it off when
   * nobody listens.
   */
  readonly notify?: boolean;
  /** Page size of `readAll` when the caller gives none (default 1000). */
  readonly defaultPageSize?: number;
}

/** The LISTEN/NOTIFY channel of a schema's event store. */
export function eventsChannel(schema: string): string {
  return `pd_events_${schema}`;
}

/** The advisory-lock class (first key) under which appenders announce their lowest position. */
export function positionLockClass(schema: string): number {
  return int32Hash(`pd:positions:${schema}`);
}

interface Statements {
  readonly upsertAppend: string;
  readonly updateAppend: string;
  readonly insertAppend: string;
  readonly upsertAppendOne: string;
  readonly updateAppendOne: string;
  readonly insertAppendOne: string;
  readonly diagnose: string;
  readonly createEmpty: string;
  readonly readStream: string;
  readonly bound: string;
  readonly readAll: readonly [string, string, string, string];
  readonly metadata: string;
  readonly deleteStream: string;
}

function buildStatements(schema: string, notify: boolean): Statements {
  const s = quoteIdent(schema);
  // Appenders take a shared advisory lock keyed by the sequence's value *before* they draw
  // positions, and hold it to the end of their transaction. Readers never return a position above
  // the lowest such key, so a transaction that commits late can never fill in a position below
  // one a reader already passed (see readAll). The lock is in the same statement: no extra trip.
  const lock = `,
  lk AS (
    SELECT pg_advisory_xact_lock_shared($14::int4,
      ((((CASE WHEN q.is_called THEN q.last_value ELSE q.last_value - 1 END) + 2147483648) & 4294967295) - 2147483648)::int4
    ) AS locked
    FROM ${s}.events_position_seq q, s
  ),`;
  const columns = `stream_id, stream_version, event_type, schema_version, event_id, payload, metadata,
      occurred_at, recorded_at, correlation_id, causation_id, command_id, append_ordinal`;
  const result = (lastPosition: string) => `
SELECT s.version, ${lastPosition} AS last_position${
    notify
      ? `,
  (SELECT count(*) FROM (SELECT pg_notify($15, '') FROM (SELECT 1 FROM ins LIMIT 1) one) n) AS notified`
      : ''
  }
FROM s`;
  // Any number of events: inserted from one array per column (`unnest`), in order.
  const appendMany = `${lock}
  ins AS (
    INSERT INTO ${s}.events (${columns})
    SELECT $1, s.version - $2 + u.ord, u.t, u.sv, u.id, u.p::jsonb, $12::jsonb, u.o, $4, u.c, u.k, $13, u.ord
    FROM s CROSS JOIN lk CROSS JOIN
      unnest($5::text[], $6::int4[], $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::text[])
        WITH ORDINALITY AS u(t, sv, id, p, o, c, k, ord)
    ORDER BY u.ord
    RETURNING position
  )${result('(SELECT max(position) FROM ins)')}`;
  // One event (the most common append): the same statement with scalar parameters, which spares
  // the driver and the server the seven arrays (encoding, parsing, unnest).
  const appendOne = `${lock}
  ins AS (
    INSERT INTO ${s}.events (${columns})
    SELECT $1, s.version, $5::text, $6::int4, $7::text, $8::text::jsonb, $12::jsonb, $9::timestamptz, $4,
      $10::text, $11::text, $13, 1
    FROM s CROSS JOIN lk
    RETURNING position
  )${result('(SELECT position FROM ins)')}`;
  // The stream row, with the expected-version check: an upsert (a new stream is possible) or an
  // update (the stream must exist). No row from it means the check failed and nothing is written.
  const upsertStream = `WITH s AS (
    INSERT INTO ${s}.streams AS st (stream_id, version, created_at, updated_at) VALUES ($1, $2, $4, $4)
    ON CONFLICT (stream_id) DO UPDATE SET version = st.version + EXCLUDED.version, updated_at = EXCLUDED.updated_at
    WHERE NOT st.deleted AND ($3::int4 IS NULL OR st.version = $3::int4)
    RETURNING st.version
  )`;
  // 'no_stream' outside a transaction: a plain insert, without the upsert's speculative insertion
  // (an extra WAL record). A racing creator makes it fail with a unique violation on the stream's
  // key, which is mapped to the same typed error; alone in its transaction, it aborts nothing else.
  // ($3 is -1 here; naming it keeps the parameter list of the other forms.)
  const insertStream = `WITH s AS (
    INSERT INTO ${s}.streams (stream_id, version, created_at, updated_at)
    SELECT $1, $2, $4, $4 WHERE $3::int4 = -1
    RETURNING version
  )`;
  const updateStream = `WITH s AS (
    UPDATE ${s}.streams st SET version = st.version + $2, updated_at = $4
    WHERE st.stream_id = $1 AND NOT st.deleted AND ($3::int4 IS NULL OR st.version = $3::int4)
    RETURNING st.version
  )`;
  const readAllBase = `SELECT ${EVENT_COLUMNS} FROM ${s}.events e WHERE e.position > $1 AND e.position <= $2`;
  return {
    upsertAppend: `${upsertStream}${appendMany}`,
    updateAppend: `${updateStream}${appendMany}`,
    insertAppend: `${insertStream}${appendMany}`,
    upsertAppendOne: `${upsertStream}${appendOne}`,
    updateAppendOne: `${updateStream}${appendOne}`,
    insertAppendOne: `${insertStream}${appendOne}`,
    createEmpty: `INSERT INTO ${s}.streams (stream_id, version, created_at, updated_at) VALUES ($1, 0, $2, $2)
    ON CONFLICT (stream_id) DO NOTHING RETURNING version`,
    diagnose: `SELECT st.version, st.deleted,
    ($2::text IS NOT NULL AND EXISTS (
      SELECT 1 FROM ${s}.events e WHERE e.stream_id = $1 AND e.command_id = $2::text AND e.append_ordinal = 1
    )) AS duplicate
    FROM ${s}.streams st WHERE st.stream_id = $1`,
    readStream: `SELECT st.version AS current_version, st.deleted, ev.*
    FROM ${s}.streams st
    LEFT JOIN LATERAL (
      SELECT ${STREAM_EVENT_COLUMNS} FROM ${s}.events e
      WHERE e.stream_id = st.stream_id AND e.stream_version > $2
      ORDER BY e.stream_version LIMIT $3
    ) ev ON true
    WHERE st.stream_id = $1`,
    // The highest position that is final: nothing can still appear at or below it. It is the
    // sequence's current value, lowered to the lowest key announced by an appender still in
    // flight. The sequence is read before the locks (the subquery runs per outer row).
    bound: `SELECT b.bound, (SELECT max(position) FROM ${s}.events WHERE position > $1 AND position <= b.bound) AS scanned
    FROM (
      SELECT least(q.l, (
        SELECT min(q.l - ((q.l - l.objid::int8) & 4294967295))
        FROM pg_catalog.pg_locks l
        WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.classid = $2::int8::oid
          AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
      )) AS bound
      FROM (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS l FROM ${s}.events_position_seq) q
    ) b`,
    readAll: [
      `${readAllBase} ORDER BY e.position LIMIT $3`,
      `${readAllBase} AND e.event_type = ANY($4::text[]) ORDER BY e.position LIMIT $3`,
      `${readAllBase} AND starts_with(e.stream_id, $4) ORDER BY e.position LIMIT $3`,
      `${readAllBase} AND e.event_type = ANY($4::text[]) AND starts_with(e.stream_id, $5) ORDER BY e.position LIMIT $3`,
    ],
    metadata: `SELECT version, deleted, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms,
      (extract(epoch FROM updated_at) * 1000)::float8 AS updated_ms
      FROM ${s}.streams WHERE stream_id = $1`,
    deleteStream: `UPDATE ${s}.streams SET deleted = true, updated_at = $3
      WHERE stream_id = $1 AND NOT deleted AND ($2::int4 IS NULL OR version = $2::int4) RETURNING version`,
  };
}

const OWNER = 'PostgresEventStore';

function assertStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.includes('\u0000')) {
    throw ValidationError.of(
      OWNER,
      'streamId',
      'must be a non-empty string without NUL characters',
    );
  }
}

function assertNonNegativeInt(value: number | undefined, field: string): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw ValidationError.of(OWNER, field, 'must be a non-negative integer');
  }
}

function assertLimit(value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
    throw ValidationError.of(OWNER, 'limit', 'must be a positive integer');
  }
}

/** How an expected version is checked in SQL: which statement, and the version it compares. */
function expectation(expected: ExpectedVersion): { update: boolean; version: number | null } {
  if (expected === 'any') return { update: false, version: null };
  // -1 matches no stored version: 'no_stream' only inserts, it never accepts an existing (even
  // empty, version 0) stream.
  if (expected === 'no_stream') return { update: false, version: -1 };
  if (expected === 'stream_exists') return { update: true, version: null };
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) {
    return { update: expected > 0, version: expected };
  }
  throw ValidationError.of(
    OWNER,
    'expectedVersion',
    "must be a non-negative integer, 'any', 'no_stream' or 'stream_exists'",
  );
}

/** The append's metadata as JSON text, or null when there is none. */
function metadataJson(metadata: AppendOptions['metadata']): string | null {
  return metadata === undefined || Object.keys(metadata).length === 0
    ? null
    : JSON.stringify(metadata);
}

/** The JSON form of `events[i]`, or a `ValidationError` when it is not a domain event. */
function jsonOf(event: AnyDomainEvent | undefined, i: number): DomainEventJSON {
  if (typeof event?.toJSON !== 'function') {
    throw ValidationError.of(OWNER, `events.${i}`, 'must be a domain event');
  }
  return event.toJSON();
}

interface DiagnoseRow {
  readonly version: number;
  readonly deleted: boolean;
  readonly duplicate: boolean;
}

/**
 * The {@link EventStore} on PostgreSQL (a server through node-postgres, or PGlite).
 *
 * - An append is ONE statement, whatever the number of events: the stream row is upserted with
 *   the expected-version check, and the events are inserted (one event from plain parameters,
 *   several from arrays with `unnest`), so it costs one round trip and is atomic without an
 *   explicit transaction.
 * - `readAll` pages cost one round trip while catching up: the gap-safety bound is queried again
 *   only near the head of the log.
 * - `(stream_id, stream_version)` and `(stream_id, command_id)` are unique; a conflict becomes
 *   `ConcurrencyError` or `DuplicateCommandError`, and a failed append writes nothing (its
 *   command id can be retried).
 * - `readAll` is gap-safe: it never returns a position while a lower one can still be committed
 *   by a transaction in flight, so a checkpointed subscriber never skips an event.
 *
 * Built on a transaction executor (or inside a {@link PostgresUnitOfWork} commit) it writes in
 * that transaction.
 *
 * @example
 * await migrate(db, { schema: 'shop' });
 * const store = new PostgresEventStore(db, { schema: 'shop' });
 * await store.appendToStream('order-1', [placed], { expectedVersion: 'no_stream', commandId });
 */
export class PostgresEventStore implements EventStore {
  readonly schema: string;
  readonly #executor: SqlExecutor;
  readonly #options: PostgresEventStoreOptions;
  readonly #sql: Statements;
  /**
   * The append statements with an in-transaction NOTIFY: only for a transaction executor that is
   * not pd's own, whose commit pd cannot wait for (built on first use).
   */
  #sqlNotifying: Statements | undefined;
  readonly #names = new Map<string, string>();
  readonly #readOptions = new Map<string, InternalQueryOptions>();
  readonly #lockClass: number;
  readonly #notify: boolean;
  readonly #channel: string;
  readonly #pageSize: number;
  /**
   * The highest bound a `readAll` of this store has computed (0 before the first). Once no
   * appender can still commit a position at or below it, none ever can again, so a later page
   * that lies below it needs no new bound query: catch-up costs one round trip per page.
   */
  #knownFinal = 0;

  constructor(executor: SqlExecutor, options: PostgresEventStoreOptions = {}) {
    this.schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA, OWNER);
    assertLimit(options.defaultPageSize);
    this.#executor = executor;
    this.#options = options;
    this.#notify = options.notify ?? true;
    this.#channel = eventsChannel(this.schema);
    this.#pageSize = options.defaultPageSize ?? 1000;
    this.#sql = buildStatements(this.schema, false);
    this.#lockClass = positionLockClass(this.schema);
  }

  /** The same store writing through `executor` (e.g. an open transaction). */
  withExecutor(executor: SqlExecutor): PostgresEventStore {
    return new PostgresEventStore(executor, this.#options);
  }

  async appendToStream(
    streamId: string,
    events: readonly AnyDomainEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    assertStreamId(streamId);
    if (!Array.isArray(events))
      throw ValidationError.of(OWNER, 'events', 'must be an array of domain events');
    const expected = expectation(options.expectedVersion);
    const commandId = options.commandId ?? null;
    if (commandId !== null && (typeof commandId !== 'string' || commandId.length === 0)) {
      throw ValidationError.of(OWNER, 'commandId', 'must be a non-empty string or null');
    }
    const executor = resolveExecutor(this.#executor);
    if (events.length === 0)
      return this.#appendNothing(executor, streamId, options.expectedVersion);

    // The wake-up goes out after the commit (see `notify`); only a transaction pd cannot watch
    // sends it from inside, where PostgreSQL delivers it at commit.
    const notifyInside = this.#notify && executor.inTransaction && !(AFTER_COMMIT in executor);
    const sql = notifyInside ? this.#notifyingStatements() : this.#sql;
    const plainInsert = expected.version === -1 && !executor.inTransaction;
    const n = events.length;
    let text: string;
    let params: unknown[];
    if (n === 1) {
      const json = jsonOf(events[0], 0);
      text = expected.update
        ? sql.updateAppendOne
        : plainInsert
          ? sql.insertAppendOne
          : sql.upsertAppendOne;
      params = [
        streamId,
        1,
        expected.version,
        this.#now(),
        json.type,
        json.schemaVersion,
        json.eventId,
        JSON.stringify(json.payload),
        json.occurredAt,
        json.correlationId,
        json.causationId,
        metadataJson(options.metadata),
        commandId,
        this.#lockClass,
      ];
    } else {
      const types = new Array<string>(n);
      const schemaVersions = new Array<number>(n);
      const ids = new Array<string>(n);
      const payloads = new Array<string>(n);
      const occurred = new Array<string>(n);
      const correlations = new Array<string | null>(n);
      const causations = new Array<string | null>(n);
      for (let i = 0; i < n; i++) {
        const json = jsonOf(events[i], i);
        types[i] = json.type;
        schemaVersions[i] = json.schemaVersion;
        ids[i] = json.eventId;
        payloads[i] = JSON.stringify(json.payload);
        occurred[i] = json.occurredAt;
        correlations[i] = json.correlationId;
        causations[i] = json.causationId;
      }
      text = expected.update ? sql.updateAppend : plainInsert ? sql.insertAppend : sql.upsertAppend;
      params = [
        streamId,
        n,
        expected.version,
        this.#now(),
        types,
        schemaVersions,
        ids,
        payloads,
        occurred,
        correlations,
        causations,
        metadataJson(options.metadata),
        commandId,
        this.#lockClass,
      ];
    }
    if (notifyInside) params.push(this.#channel);
    let rows: { version: number; last_position: string | number | bigint }[];
    try {
      rows = await executor.query(text, params, { name: this.#name(text) });
    } catch (error) {
      throw await this.#mapAppendError(
        error,
        executor,
        streamId,
        options.expectedVersion,
        commandId,
      );
    }
    const row = rows[0];
    if (row === undefined) {
      throw await this.#explainRejected(executor, streamId, options.expectedVersion, commandId);
    }
    if (this.#notify && !notifyInside) {
      const signal = appendSignal(rootExecutor(executor), this.#channel);
      // A foreign transaction behind a unit of work's executor: wake now, the poll covers the rest.
      if (!scheduleAfterCommit(executor, () => signal.fire())) signal.fire();
    }
    return { nextExpectedVersion: Number(row.version), lastPosition: Number(row.last_position) };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StreamSlice> {
    assertStreamId(streamId);
    assertNonNegativeInt(options.fromVersion, 'fromVersion');
    assertLimit(options.limit);
    const text = this.#sql.readStream;
    const rows = await resolveExecutor(this.#executor).query<object>(
      text,
      [streamId, options.fromVersion ?? 0, options.limit ?? null],
      this.#arrayRows(text),
    );
    if (rows.length === 0) throw new StreamNotFoundError(streamId);
    // Each row: the stream's version and tombstone, then the event (all null for no event).
    const [version, deleted, position] = rowValues(rows[0] as object);
    if (deleted === true) throw new StreamDeletedError(streamId);
    const events = position === null ? [] : toStoredEvents(rows, 2, streamId);
    return { streamId, version: Number(version), events };
  }

  async readAll(options: ReadAllOptions = {}): Promise<GlobalSlice> {
    assertNonNegativeInt(options.fromPosition, 'fromPosition');
    assertLimit(options.limit);
    const types = options.eventTypes;
    if (
      types !== undefined &&
      (!Array.isArray(types) || types.some((t) => typeof t !== 'string'))
    ) {
      throw ValidationError.of(OWNER, 'eventTypes', 'must be an array of type names');
    }
    const category = options.streamCategory;
    if (category !== undefined && (typeof category !== 'string' || category.length === 0)) {
      throw ValidationError.of(OWNER, 'streamCategory', 'must be a non-empty string');
    }
    const from = options.fromPosition ?? 0;
    const limit = options.limit ?? this.#pageSize;
    if (types !== undefined && types.length === 0)
      return { events: [], lastPosition: from, isEnd: true };
    const executor = resolveExecutor(this.#executor);
    const variant = (types === undefined ? 0 : 1) + (category === undefined ? 0 : 2);
    const page = async (bound: number): Promise<StoredEvent[]> => {
      const text = this.#sql.readAll[variant] as string;
      const params: unknown[] = [from, bound, limit];
      if (types !== undefined) params.push(types);
      if (category !== undefined) params.push(`${category}-`);
      return toStoredEvents(await executor.query<object>(text, params, this.#arrayRows(text)), 0);
    };
    const fullPage = (events: StoredEvent[]): GlobalSlice => ({
      events,
      lastPosition: (events[events.length - 1] as StoredEvent).globalPosition,
      isEnd: false,
    });

    // Below a bound computed earlier every position is final. Only outside a transaction: a
    // transaction's snapshot may be older than that bound. A page that comes back short may have
    // reached the end, which needs the current bound: it is read again below.
    const cacheable = !executor.inTransaction;
    if (cacheable && from < this.#knownFinal) {
      const events = await page(this.#knownFinal);
      if (events.length === limit) return fullPage(events);
    }

    const boundText = this.#sql.bound;
    const [boundRow] = await executor.query<{
      bound: string | number | bigint | null;
      scanned: string | number | bigint | null;
    }>(boundText, [from, this.#lockClass >>> 0], { name: this.#name(boundText) });
    const bound = Number(boundRow?.bound ?? 0);
    if (cacheable && bound > this.#knownFinal) this.#knownFinal = bound;
    if (bound <= from) return { events: [], lastPosition: from, isEnd: true };

    const events = await page(bound);
    if (events.length === limit) return fullPage(events);
    const scanned =
      boundRow?.scanned === null || boundRow?.scanned === undefined
        ? from
        : Number(boundRow.scanned);
    const lastReturned = events.at(-1)?.globalPosition ?? from;
    return { events, lastPosition: Math.max(from, scanned, lastReturned), isEnd: true };
  }

  async getStreamMetadata(streamId: string): Promise<StreamMetadata | undefined> {
    assertStreamId(streamId);
    const text = this.#sql.metadata;
    const [row] = await resolveExecutor(this.#executor).query<{
      version: number;
      deleted: boolean;
      created_ms: number;
      updated_ms: number;
    }>(text, [streamId], { name: this.#name(text) });
    if (row === undefined) return undefined;
    return {
      streamId,
      version: Number(row.version),
      deleted: row.deleted,
      createdAt: new Date(row.created_ms).toISOString(),
      updatedAt: new Date(row.updated_ms).toISOString(),
    };
  }

  async deleteStream(
    streamId: string,
    options: { expectedVersion?: ExpectedVersion } = {},
  ): Promise<void> {
    assertStreamId(streamId);
    const expectedVersion = options.expectedVersion ?? 'any';
    const expected = expectation(expectedVersion);
    const executor = resolveExecutor(this.#executor);
    const text = this.#sql.deleteStream;
    const rows = await executor.query(text, [streamId, expected.version, this.#now()], {
      name: this.#name(text),
    });
    if (rows.length > 0) return;
    const [state] = await executor.query<DiagnoseRow>(this.#sql.diagnose, [streamId, null]);
    if (state === undefined) throw new StreamNotFoundError(streamId);
    if (state.deleted) {
      if (expectedVersion === 'any') return;
      throw new StreamDeletedError(streamId);
    }
    throw new ConcurrencyError(streamId, expectedVersion, Number(state.version));
  }

  async #appendNothing(
    executor: SqlExecutor,
    streamId: string,
    expectedVersion: ExpectedVersion,
  ): Promise<AppendResult> {
    const [state] = await executor.query<DiagnoseRow>(this.#sql.diagnose, [streamId, null]);
    if (state?.deleted === true) throw new StreamDeletedError(streamId);
    const version = state === undefined ? 0 : Number(state.version);
    const ok =
      expectedVersion === 'any' ||
      (expectedVersion === 'no_stream' && state === undefined) ||
      (expectedVersion === 'stream_exists' && state !== undefined) ||
      expectedVersion === version;
    if (!ok) throw new ConcurrencyError(streamId, expectedVersion, version);
    if (state === undefined) {
      // An empty append creates the stream (it then exists, at version 0), like the in-memory store.
      const created = await executor.query(this.#sql.createEmpty, [streamId, this.#now()]);
      // A racing writer created it first: decide again against what it wrote.
      if (created.length === 0) return this.#appendNothing(executor, streamId, expectedVersion);
    }
    return { nextExpectedVersion: version, lastPosition: null };
  }

  async #explainRejected(
    executor: SqlExecutor,
    streamId: string,
    expectedVersion: ExpectedVersion,
    commandId: string | null,
  ): Promise<Error> {
    const [state] = await executor.query<DiagnoseRow>(this.#sql.diagnose, [streamId, commandId]);
    if (state?.deleted === true) return new StreamDeletedError(streamId);
    if (state?.duplicate === true && commandId !== null)
      return new DuplicateCommandError(streamId, commandId);
    return new ConcurrencyError(
      streamId,
      expectedVersion,
      state === undefined ? 0 : Number(state.version),
    );
  }

  async #mapAppendError(
    error: unknown,
    executor: SqlExecutor,
    streamId: string,
    expectedVersion: ExpectedVersion,
    commandId: string | null,
  ): Promise<unknown> {
    const pgError = pgErrorFields(error);
    if (pgError === undefined) return error;
    if (pgError.code === SqlState.UniqueViolation) {
      if (pgError.constraint === 'events_stream_command_key' && commandId !== null) {
        return new DuplicateCommandError(streamId, commandId);
      }
      if (pgError.constraint === 'streams_pkey' && !executor.inTransaction) {
        // The stream exists ('no_stream' outside a transaction): deleted, a retried command, or
        // simply there, as the upsert would have found.
        return this.#explainRejected(executor, streamId, expectedVersion, commandId);
      }
      // A racing writer took the version (only possible if someone wrote events without the
      // stream row). The actual version is not readable inside an aborted transaction.
      const actual = executor.inTransaction
        ? 'unknown'
        : await this.getStreamMetadata(streamId).then(
            (m) => m?.version ?? 0,
            () => 'unknown',
          );
      return new ConcurrencyError(streamId, expectedVersion, actual, { cause: error });
    }
    if (
      pgError.code === SqlState.UntranslatableCharacter ||
      pgError.code === SqlState.CharacterNotInRepertoire ||
      pgError.code === SqlState.InvalidTextRepresentation
    ) {
      const issue = ValidationError.of(
        OWNER,
        'events',
        `cannot be stored: ${(error as Error).message} (JSON strings may not contain \\u0000)`,
      );
      return new ValidationError(OWNER, issue.issues, { cause: error });
    }
    return error;
  }

  #notifyingStatements(): Statements {
    this.#sqlNotifying ??= buildStatements(this.schema, true);
    return this.#sqlNotifying;
  }

  #now(): Date {
    return (this.#options.clock ?? domainDefaults().clock).now();
  }

  /** Query options of an event read: its statement name, and rows as arrays. */
  #arrayRows(text: string): InternalQueryOptions {
    let options = this.#readOptions.get(text);
    if (options === undefined) {
      options = { name: this.#name(text), [ROWS_AS_ARRAYS]: true };
      this.#readOptions.set(text, options);
    }
    return options;
  }

  #name(text: string): string {
    let name = this.#names.get(text);
    if (name === undefined) {
      name = statementName(text);
      this.#names.set(text, name);
    }
    return name;
  }
}
