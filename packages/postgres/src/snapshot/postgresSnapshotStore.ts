import { ValidationError } from '@pd/ddd';
import type { Snapshot, SnapshotStore } from '@pd/eventsourcing';
import { resolveExecutor } from '../executor/ambientTransaction.js';
import type { SqlExecutor } from '../executor/sqlExecutor.js';
import { assertSchemaName, DEFAULT_SCHEMA, quoteIdent } from '../schema/identifier.js';

/** Options of {@link PostgresSnapshotStore}. */
export interface PostgresSnapshotStoreOptions {
  /** Schema holding the tables (default `'pd'`). */
  readonly schema?: string;
}

const OWNER = 'PostgresSnapshotStore';

/**
 * The {@link SnapshotStore} on PostgreSQL: one row per aggregate (type, id), state as jsonb. A save
 * never replaces a newer snapshot with an older one, so two racing writers cannot move it back.
 *
 * @example
 * const snapshots = new PostgresSnapshotStore(db, { schema: 'shop' });
 */
export class PostgresSnapshotStore implements SnapshotStore {
  readonly #executor: SqlExecutor;
  readonly #options: PostgresSnapshotStoreOptions;
  readonly #save: string;
  readonly #get: string;
  readonly #delete: string;

  constructor(executor: SqlExecutor, options: PostgresSnapshotStoreOptions = {}) {
    const s = quoteIdent(assertSchemaName(options.schema ?? DEFAULT_SCHEMA, OWNER));
    this.#executor = executor;
    this.#options = options;
    this.#save = `INSERT INTO ${s}.snapshots AS sn (aggregate_type, aggregate_id, version, schema_version, state, created_at)
      VALUES ($1, $2, $3, $4, $5::jsonb, $6)
      ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE
      SET version = EXCLUDED.version, schema_version = EXCLUDED.schema_version, state = EXCLUDED.state,
          created_at = EXCLUDED.created_at
      WHERE sn.version <= EXCLUDED.version`;
    this.#get = `SELECT aggregate_type, aggregate_id, version, schema_version, state,
      (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
      FROM ${s}.snapshots WHERE aggregate_type = $1 AND aggregate_id = $2`;
    this.#delete = `DELETE FROM ${s}.snapshots WHERE aggregate_type = $1 AND aggregate_id = $2`;
  }

  /** The same store writing through `executor` (e.g. an open transaction). */
  withExecutor(executor: SqlExecutor): PostgresSnapshotStore {
    return new PostgresSnapshotStore(executor, this.#options);
  }

  async save(snapshot: Snapshot): Promise<void> {
    assertKey(snapshot?.aggregateType, 'aggregateType');
    assertKey(snapshot.aggregateId, 'aggregateId');
    for (const field of ['version', 'schemaVersion'] as const) {
      if (!Number.isSafeInteger(snapshot[field]) || snapshot[field] < 0) {
        throw ValidationError.of(OWNER, field, 'must be a non-negative integer');
      }
    }
    const createdAt = new Date(snapshot.createdAt);
    if (Number.isNaN(createdAt.getTime()))
      throw ValidationError.of(OWNER, 'createdAt', 'must be an ISO-8601 date');
    await resolveExecutor(this.#executor).query(this.#save, [
      snapshot.aggregateType,
      snapshot.aggregateId,
      snapshot.version,
      snapshot.schemaVersion,
      JSON.stringify(snapshot.state),
      createdAt,
    ]);
  }

  async get(aggregateType: string, aggregateId: string): Promise<Snapshot | undefined> {
    assertKey(aggregateType, 'aggregateType');
    assertKey(aggregateId, 'aggregateId');
    const [row] = await resolveExecutor(this.#executor).query<{
      aggregate_type: string;
      aggregate_id: string;
      version: number;
      schema_version: number;
      state: Record<string, unknown>;
      created_ms: number;
    }>(this.#get, [aggregateType, aggregateId]);
    if (row === undefined) return undefined;
    return {
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      version: Number(row.version),
      schemaVersion: Number(row.schema_version),
      state: row.state,
      createdAt: new Date(row.created_ms).toISOString(),
    };
  }

  async delete(aggregateType: string, aggregateId: string): Promise<void> {
    assertKey(aggregateType, 'aggregateType');
    assertKey(aggregateId, 'aggregateId');
    await resolveExecutor(this.#executor).query(this.#delete, [aggregateType, aggregateId]);
  }
}

function assertKey(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\u0000')) {
    throw ValidationError.of(OWNER, field, 'must be a non-empty string without NUL characters');
  }
}
