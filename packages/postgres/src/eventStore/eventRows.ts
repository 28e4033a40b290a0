import type { StoredEvent } from '@pd/eventsourcing';
import { rowValues } from '../executor/rowsAsArrays.js';

// Reads are the hot path of rehydration and catch-up, so the columns are chosen for cheap parsing:
// timestamps come as float8 seconds from `date_part` (`extract` computes in numeric and costs the
// server about 0.8 µs per value; a timestamptz column would be parsed from text in JavaScript),
// and a stream read leaves out the stream id it already knows.
const COMMON_COLUMNS = `e.position, e.stream_version, e.event_type, e.schema_version, e.event_id,
  e.payload, e.metadata, e.correlation_id, e.causation_id, e.command_id,
  date_part('epoch', e.occurred_at) AS occurred_s, date_part('epoch', e.recorded_at) AS recorded_s`;

/** The columns a stream read selects, as {@link toStoredEvents} expects them (no stream id). */
export const STREAM_EVENT_COLUMNS = COMMON_COLUMNS;

/** The columns a global read selects, as {@link toStoredEvents} expects them. */
export const EVENT_COLUMNS = `${COMMON_COLUMNS}, e.stream_id`;

/**
 * Where each column of {@link EVENT_COLUMNS} sits in a row's values (after the columns a query
 * selects before them). int8 arrives as a string (pg) or a number (PGlite).
 */
const POSITION = 0;
const STREAM_VERSION = 1;
const EVENT_TYPE = 2;
const SCHEMA_VERSION = 3;
const EVENT_ID = 4;
const PAYLOAD = 5;
const METADATA = 6;
const CORRELATION_ID = 7;
const CAUSATION_ID = 8;
const COMMAND_ID = 9;
const OCCURRED_S = 10;
const RECORDED_S = 11;
/** Only in {@link EVENT_COLUMNS}. */
const STREAM_ID = 12;

/** 2^32 seconds after the epoch (year 2106), and as far before it. */
const EXACT_MICROS_LIMIT_S = 4_294_967_296;

/**
 * Seconds since the epoch (a float8 from `date_part`) as an ISO string, cut to the millisecond
 * like a JavaScript `Date`. Within ±2^32 s of the epoch (years 1833–2106) a float8 keeps the
 * microsecond count exactly, so it is recovered and floored to whole milliseconds; further out it
 * keeps milliseconds only (what pd writes), which are rounded to.
 */
export function isoFromEpochSeconds(seconds: number): string {
  let ms: number;
  if (Math.abs(seconds) < EXACT_MICROS_LIMIT_S) {
    const micros = Math.round(seconds * 1e6);
    ms = (micros - (((micros % 1000) + 1000) % 1000)) / 1000;
  } else {
    ms = Math.round(seconds * 1000);
  }
  return new Date(ms).toISOString();
}

/**
 * Maps rows to the store's public shape. Each row holds, from index `offset` on, the columns of
 * {@link EVENT_COLUMNS} (or of {@link STREAM_EVENT_COLUMNS}, when `streamId` names the stream of a
 * stream read). Events of one append share their recorded time and often their occurred time, so
 * a repeated timestamp reuses the previous row's string instead of formatting it again.
 */
export function toStoredEvents(
  rows: readonly object[],
  offset: number,
  streamId?: string,
): StoredEvent[] {
  const n = rows.length;
  const events = new Array<StoredEvent>(n);
  let occurredS = Number.NaN;
  let occurredIso = '';
  let recordedS = Number.NaN;
  let recordedIso = '';
  for (let i = 0; i < n; i++) {
    const row = rowValues(rows[i] as object);
    const occurred = row[offset + OCCURRED_S] as number;
    if (occurred !== occurredS) {
      occurredS = occurred;
      occurredIso = isoFromEpochSeconds(occurred);
    }
    const recorded = row[offset + RECORDED_S] as number;
    if (recorded !== recordedS) {
      recordedS = recorded;
      recordedIso = recorded === occurredS ? occurredIso : isoFromEpochSeconds(recorded);
    }
    const commandId = row[offset + COMMAND_ID] as string | null;
    // The metadata object was just parsed from this row's JSON: nobody else holds it, so the
    // command id is set on it (same key order as a spread) instead of copying it.
    let metadata = row[offset + METADATA] as { commandId: string | null } | null;
    if (metadata === null) metadata = { commandId };
    else metadata.commandId = commandId;
    events[i] = {
      type: row[offset + EVENT_TYPE] as string,
      schemaVersion: row[offset + SCHEMA_VERSION] as number,
      eventId: row[offset + EVENT_ID] as string,
      occurredAt: occurredIso,
      correlationId: row[offset + CORRELATION_ID] as string | null,
      causationId: row[offset + CAUSATION_ID] as string | null,
      payload: row[offset + PAYLOAD] as Record<string, unknown>,
      streamId: streamId ?? (row[offset + STREAM_ID] as string),
      streamVersion: row[offset + STREAM_VERSION] as number,
      globalPosition: Number(row[offset + POSITION]),
      recordedAt: recordedIso,
      metadata,
    };
  }
  return events;
}
