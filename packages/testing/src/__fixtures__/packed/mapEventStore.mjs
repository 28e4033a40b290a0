// A user's own event store, in plain JavaScript, written against the EventStore contract only.
import { ConcurrencyError, ValidationError } from '@pd/ddd';
import { DuplicateCommandError, StreamDeletedError, StreamNotFoundError } from '@pd/eventsourcing';

const category = (id) => (id.includes('-') ? id.slice(0, id.indexOf('-')) : id);
const bad = (field, message) => ValidationError.of('MapEventStore', field, message);

export class MapEventStore {
  streams = new Map();
  log = [];

  async appendToStream(streamId, events, { expectedVersion, commandId = null, metadata = {} }) {
    if (typeof streamId !== 'string' || streamId === '')
      throw bad('streamId', 'must be a non-empty string');
    const named = ['any', 'no_stream', 'stream_exists'].includes(expectedVersion);
    if (!named && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 0)) {
      throw bad('expectedVersion', 'must be a non-negative integer or a named mode');
    }
    const rows = events.map((event, i) => {
      if (typeof event?.toJSON !== 'function') throw bad(`events.${i}`, 'must be a domain event');
      return event.toJSON();
    });
    const stream = this.streams.get(streamId);
    if (stream?.deleted) throw new StreamDeletedError(streamId);
    if (commandId !== null && stream?.commandIds.has(commandId))
      throw new DuplicateCommandError(streamId, commandId);
    const current = stream?.events.length ?? 0;
    if (expectedVersion === 'no_stream' && stream)
      throw new ConcurrencyError(streamId, expectedVersion, current);
    if (expectedVersion === 'stream_exists' && !stream)
      throw new ConcurrencyError(streamId, expectedVersion, 0);
    if (!named && expectedVersion !== current)
      throw new ConcurrencyError(streamId, expectedVersion, current);
    const now = new Date().toISOString();
    const target = stream ?? {
      events: [],
      commandIds: new Set(),
      deleted: false,
      createdAt: now,
      updatedAt: now,
    };
    this.streams.set(streamId, target);
    for (const json of rows) {
      const stored = structuredClone({
        ...json,
        streamId,
        streamVersion: target.events.length + 1,
        globalPosition: this.log.length + 1,
        recordedAt: now,
        metadata: { ...metadata, commandId },
      });
      target.events.push(stored);
      this.log.push(stored);
    }
    if (commandId !== null) target.commandIds.add(commandId);
    target.updatedAt = now;
    return {
      nextExpectedVersion: target.events.length,
      lastPosition: rows.length > 0 ? this.log.length : null,
    };
  }

  async readStream(streamId, { fromVersion = 0, limit } = {}) {
    const stream = this.streams.get(streamId);
    if (!stream) throw new StreamNotFoundError(streamId);
    if (stream.deleted) throw new StreamDeletedError(streamId);
    const end = limit === undefined ? undefined : fromVersion + limit;
    return {
      streamId,
      version: stream.events.length,
      events: structuredClone(stream.events.slice(fromVersion, end)),
    };
  }

  async readAll({ fromPosition = 0, limit = 1000, eventTypes, streamCategory } = {}) {
    const events = [];
    let lastPosition = fromPosition;
    let i = fromPosition;
    for (; i < this.log.length && events.length < limit; i++) {
      const event = this.log[i];
      lastPosition = event.globalPosition;
      if (eventTypes && !eventTypes.includes(event.type)) continue;
      if (streamCategory !== undefined && category(event.streamId) !== streamCategory) continue;
      events.push(structuredClone(event));
    }
    return { events, lastPosition, isEnd: i >= this.log.length };
  }

  async getStreamMetadata(streamId) {
    const stream = this.streams.get(streamId);
    if (!stream) return undefined;
    const { events, deleted, createdAt, updatedAt } = stream;
    return { streamId, version: events.length, deleted, createdAt, updatedAt };
  }

  async deleteStream(streamId, { expectedVersion = 'any' } = {}) {
    const stream = this.streams.get(streamId);
    if (!stream) throw new StreamNotFoundError(streamId);
    if (stream.deleted) return;
    const version = stream.events.length;
    if (
      expectedVersion === 'no_stream' ||
      (typeof expectedVersion === 'number' && expectedVersion !== version)
    ) {
      throw new ConcurrencyError(streamId, expectedVersion, version);
    }
    stream.deleted = true;
  }
}
