import type { StoredEvent } from '@pd/eventsourcing';

/** The columns every event read selects, as {@link toStoredEvent} expects them. */
export const EVENT_COLUMNS = `e.position, e.stream_id, e.stream_version, e.event_type, e.schema_version, e.event_id,
  e.payload, e.metadata, e.correlation_id, e.causation_id, e.command_id,
  (extract(epoch FROM e.occurred_at) * 1000)::float8 AS occurred_ms,
  (extract(epoch FROM e.recorded_at) * 1000)::float8 AS recorded_ms`;

/** One row of {@link EVENT_COLUMNS}. int8 arrives as a string (pg) or a number (PGlite). */
export interface EventRow {
  readonly position: string | number | bigint;
  readonly stream_id: string;
  readonly stream_version: number;
  readonly event_type: string;
  readonly schema_version: number;
  readonly event_id: string;
  readonly payload: Record<string, unknown>;
  readonly metadata: Record<string, unknown> | null;
  readonly correlation_id: string | null;
  readonly causation_id: string | null;
  readonly command_id: string | null;
  readonly occurred_ms: number;
  readonly recorded_ms: number;
}

/** Maps a row to the store's public shape. */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    type: row.event_type,
    schemaVersion: row.schema_version,
    eventId: row.event_id,
    occurredAt: new Date(row.occurred_ms).toISOString(),
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    payload: row.payload,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    globalPosition: Number(row.position),
    recordedAt: new Date(row.recorded_ms).toISOString(),
    metadata:
      row.metadata === null
        ? { commandId: row.command_id }
        : { ...row.metadata, commandId: row.command_id },
  };
}
