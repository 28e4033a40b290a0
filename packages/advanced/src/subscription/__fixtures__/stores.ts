// Test fixtures: hand-written event stores (gapped positions, read counting) and fake sleeps.
import type { Sleep } from '@pd/bus';
import type { AnyDomainEvent } from '@pd/ddd';
import {
  type AppendOptions,
  type AppendResult,
  type EventNotifier,
  type EventStore,
  type GlobalSlice,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamMetadata,
  StreamNotFoundError,
  type StreamSlice,
  streamCategoryOf,
} from '@pd/eventsourcing';

/**
 * A minimal event store over plain rows, as an external database would return them: positions
 * step by `positionStep` (gaps), no notifier, and every `readAll` recorded.
 */
export class RowEventStore implements EventStore {
  readonly rows: StoredEvent[] = [];
  readonly reads: { options: ReadAllOptions; returned: number }[] = [];
  readonly #positionStep: number;
  failNextReads = 0;

  constructor(options: { positionStep?: number } = {}) {
    this.#positionStep = options.positionStep ?? 10;
  }

  get maxReturned(): number {
    return Math.max(0, ...this.reads.map((r) => r.returned));
  }

  /** Adds rows as JSON (e.g. old schema versions written by an older deployment). */
  addJson(streamId: string, json: ReturnType<AnyDomainEvent['toJSON']>): StoredEvent {
    const streamVersion = this.rows.filter((r) => r.streamId === streamId).length + 1;
    const last = this.rows[this.rows.length - 1];
    const row: StoredEvent = {
      ...json,
      streamId,
      streamVersion,
      globalPosition: (last?.globalPosition ?? 0) + this.#positionStep,
      recordedAt: '2026-01-01T00:00:00.000Z',
      metadata: { commandId: null },
    };
    this.rows.push(row);
    return row;
  }

  async appendToStream(
    streamId: string,
    events: readonly AnyDomainEvent[],
    _options: AppendOptions,
  ): Promise<AppendResult> {
    let last: StoredEvent | undefined;
    for (const event of events) last = this.addJson(streamId, event.toJSON());
    return {
      nextExpectedVersion: this.rows.filter((r) => r.streamId === streamId).length,
      lastPosition: last?.globalPosition ?? null,
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StreamSlice> {
    const all = this.rows.filter((r) => r.streamId === streamId);
    if (all.length === 0) throw new StreamNotFoundError(streamId);
    const events = all.filter((r) => r.streamVersion > (options.fromVersion ?? 0));
    return {
      streamId,
      version: all.length,
      events: events.slice(0, options.limit ?? events.length),
    };
  }

  async readAll(options: ReadAllOptions = {}): Promise<GlobalSlice> {
    if (this.failNextReads > 0) {
      this.failNextReads -= 1;
      throw new Error('database unavailable');
    }
    const from = options.fromPosition ?? 0;
    const limit = options.limit ?? 1000;
    const events: StoredEvent[] = [];
    let lastPosition = from;
    let examinedAll = true;
    for (const row of this.rows) {
      if (row.globalPosition <= from) continue;
      if (events.length === limit) {
        examinedAll = false;
        break;
      }
      lastPosition = row.globalPosition;
      if (options.eventTypes !== undefined && !options.eventTypes.includes(row.type)) continue;
      if (
        options.streamCategory !== undefined &&
        streamCategoryOf(row.streamId) !== options.streamCategory
      )
        continue;
      events.push(row);
    }
    this.reads.push({ options, returned: events.length });
    return { events, lastPosition, isEnd: examinedAll };
  }

  async getStreamMetadata(streamId: string): Promise<StreamMetadata | undefined> {
    const all = this.rows.filter((r) => r.streamId === streamId);
    if (all.length === 0) return undefined;
    return { streamId, version: all.length, deleted: false, createdAt: null, updatedAt: null };
  }

  async deleteStream(): Promise<void> {
    throw new Error('not supported');
  }
}

/** The same store, plus an {@link EventNotifier} that fires on every append. */
export class NotifyingRowEventStore extends RowEventStore implements EventNotifier {
  readonly #listeners = new Set<() => void>();

  onAppended(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  override async appendToStream(
    streamId: string,
    events: readonly AnyDomainEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const result = await super.appendToStream(streamId, events, options);
    for (const listener of this.#listeners) listener();
    return result;
  }
}

/** A sleep that returns at once and records what was asked. */
export function recordingSleep(): Sleep & { readonly calls: number[] } {
  const calls: number[] = [];
  const sleep = async (ms: number) => {
    calls.push(ms);
  };
  return Object.assign(sleep, { calls });
}

/**
 * A sleep that waits until the test calls `wakeAll()` or the signal aborts: time is driven by
 * hand, nothing really waits.
 */
export function manualSleep(): Sleep & {
  readonly calls: number[];
  wakeAll(): void;
  readonly pending: number;
} {
  const calls: number[] = [];
  const waiting = new Set<() => void>();
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      calls.push(ms);
      if (signal?.aborted) {
        resolve();
        return;
      }
      const done = () => {
        waiting.delete(done);
        resolve();
      };
      waiting.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  const result = Object.assign(sleep, {
    calls,
    wakeAll: () => {
      for (const done of [...waiting]) done();
    },
  });
  Object.defineProperty(result, 'pending', { get: () => waiting.size });
  return result as typeof result & { readonly pending: number };
}

/** Lets pending promise callbacks and I/O callbacks run until `predicate` holds (no timers). */
export async function until(predicate: () => boolean, rounds = 1000): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    if (predicate()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}
