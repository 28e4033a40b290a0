import type { AnyDomainEvent, DomainEventJSON } from '@pd/ddd';

/**
 * What an append expects of the stream: an exact version (the number of events in it), or one of
 * `'any'` (no check), `'no_stream'` (the stream must not exist), `'stream_exists'`.
 */
export type ExpectedVersion = number | 'any' | 'no_stream' | 'stream_exists';

/** Named expected-version modes. */
export const ExpectedVersion = Object.freeze({
  Any: 'any',
  NoStream: 'no_stream',
  StreamExists: 'stream_exists',
} as const);

/** Metadata stored with each event besides the domain event's own. */
export interface StoredEventMetadata {
  /** Id of the command whose append wrote this event, if any. */
  readonly commandId: string | null;
  /** Free-form extra metadata supplied at append. */
  readonly [key: string]: unknown;
}

/**
 * A serialised event as a store holds it: the domain event's JSON (type name, schema version,
 * event id, timestamps, tracing ids, payload) plus its place in the stream and in the global log.
 */
export interface StoredEvent extends DomainEventJSON {
  readonly streamId: string;
  /** 1-based position in its stream: the first event is version 1. */
  readonly streamVersion: number;
  /** Position in the global log: strictly increasing, gaps allowed; the first event is ≥ 1. */
  readonly globalPosition: number;
  /** When the store wrote it (ISO-8601). */
  readonly recordedAt: string;
  readonly metadata: StoredEventMetadata;
}

/** Options of {@link EventStore.appendToStream}. */
export interface AppendOptions {
  readonly expectedVersion: ExpectedVersion;
  /** Makes the append idempotent per stream: a second append with the same id is rejected with `DuplicateCommandError`. */
  readonly commandId?: string | null;
  /** Extra metadata stored with every appended event. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Result of a successful append. */
export interface AppendResult {
  /** The stream's version after the append (pass it as the next `expectedVersion`). */
  readonly nextExpectedVersion: number;
  /** Global position of the last appended event, or `null` when no events were appended. */
  readonly lastPosition: number | null;
}

/** Options of {@link EventStore.readStream}. */
export interface ReadStreamOptions {
  /** Return events with a stream version greater than this (default 0: from the start). */
  readonly fromVersion?: number;
  /** At most this many events. */
  readonly limit?: number;
}

/** Options of {@link EventStore.readAll}. */
export interface ReadAllOptions {
  /** Return events with a global position greater than this (default 0: from the start). */
  readonly fromPosition?: number;
  /** Page size: at most this many events (stores apply a default, e.g. 1000). */
  readonly limit?: number;
  /** Only events of these type names. */
  readonly eventTypes?: readonly string[];
  /** Only events of streams whose id starts with `<category>-`. */
  readonly streamCategory?: string;
}

/** A stream read. */
export interface StreamSlice {
  readonly streamId: string;
  /** The stream's current version (its length), even when `events` is a slice. */
  readonly version: number;
  readonly events: readonly StoredEvent[];
}

/** A page of the global log. */
export interface GlobalSlice {
  readonly events: readonly StoredEvent[];
  /**
   * Position to pass as the next `fromPosition`: the last position examined (which may be past the
   * last returned event when filters skipped some), or the given `fromPosition` when nothing new.
   */
  readonly lastPosition: number;
  /** True when the read reached the end of what is safely visible now. */
  readonly isEnd: boolean;
}

/** Stream metadata. */
export interface StreamMetadata {
  readonly streamId: string;
  readonly version: number;
  /** True once the stream was tombstoned: it cannot be appended to again. */
  readonly deleted: boolean;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

/**
 * The event store contract. Every implementation (in memory, PostgreSQL, yours) passes
 * `eventStoreContract` from `@pd/testing`.
 *
 * Rules: appends are atomic (all events or none); versions are checked against `expectedVersion`
 * (`ConcurrencyError` with stream, expected and actual versions); a repeated command id on a
 * stream is `DuplicateCommandError` and a failed append does not consume the id; reading a
 * missing stream is `StreamNotFoundError`; the global log never returns a position while a
 * lower one can still appear (gap-safe under concurrent writers).
 */
export interface EventStore {
  appendToStream(
    streamId: string,
    events: readonly AnyDomainEvent[],
    options: AppendOptions,
  ): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StreamSlice>;
  readAll(options?: ReadAllOptions): Promise<GlobalSlice>;
  /** Metadata of a stream, or `undefined` when it does not exist. */
  getStreamMetadata(streamId: string): Promise<StreamMetadata | undefined>;
  /**
   * Tombstones a stream: its events stay in the global log, but reading the stream or appending to
   * it throws `StreamDeletedError`. Deleting an unknown stream throws `StreamNotFoundError`;
   * deleting a deleted stream does nothing. `expectedVersion` is checked like an append's.
   */
  deleteStream(streamId: string, options?: { expectedVersion?: ExpectedVersion }): Promise<void>;
}

/** A live-wake-up capability some stores offer (PostgreSQL LISTEN/NOTIFY, in-memory emitters). */
export interface EventNotifier {
  /** Calls `listener` whenever new events may be visible. Returns an unsubscribe function. */
  onAppended(listener: () => void): () => void;
}

/**
 * The category of a stream: the part of its id before the first `-` (the whole id when there is
 * none). `Order-42` is in category `Order`. Every store filters `readAll({ streamCategory })` by it.
 */
export function streamCategoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}

/** Any domain event accepted by a store. */
export type AppendableEvent = AnyDomainEvent;
