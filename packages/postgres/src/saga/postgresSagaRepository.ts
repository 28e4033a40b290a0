import {
  type AnySagaState,
  type FinishedSagaCutoffs,
  type RemovingSagaRepository,
  type SagaSaveOptions,
  SagaState,
  type SagaStateJSON,
  SagaStatus,
  type StoredSagaRef,
} from '@pd/advanced/saga';
import { ConcurrencyError, setEntityVersion, ValidationError } from '@pd/ddd';
import { pgErrorFields, SqlState } from '../errors/postgresErrors.js';
import { resolveExecutor } from '../executor/ambientTransaction.js';
import type { SqlExecutor } from '../executor/sqlExecutor.js';
import { assertSchemaName, DEFAULT_SCHEMA, quoteIdent } from '../schema/identifier.js';

/** Options of {@link PostgresSagaRepository}. */
export interface PostgresSagaRepositoryOptions {
  /** Schema holding the tables (default `'pd'`). */
  readonly schema?: string;
}

const OWNER = 'PostgresSagaRepository';

/** The terminal statuses as an SQL list: what `findFinished` and `deleteFinished` consider. */
const FINISHED = [SagaStatus.COMPLETED, SagaStatus.FAILED, SagaStatus.COMPENSATED]
  .map((status) => `'${status}'`)
  .join(', ');

interface SagaRow {
  readonly version: number | string;
  readonly state: SagaStateJSON;
}

/**
 * The saga `SagaRepository` (`@pd/advanced/saga`) on PostgreSQL: one row per saga, its
 * `toJSON()` as jsonb, with the columns the finders filter on (`status`, `stalled`,
 * `timeout_at`) beside it and indexed.
 *
 * - `save` is an upsert under optimistic concurrency against the loaded version: an `UPDATE …
 *   WHERE version = expected` (or an insert for version 0), so of several processes saving the
 *   same loaded state exactly one wins and the others get `ConcurrencyError`. A second saga for
 *   the same `(sagaType, correlationId)` is refused the same way (a unique constraint).
 * - Called from a `PostgresUnitOfWork` commit (or through `uow.sagas`) it writes in the command's
 *   transaction, like the other stores.
 * - Finders return at most `limit` states (default 10): stalled and suspended states oldest first
 *   (by `createdAt`), expired ones most overdue first (by `timeoutAt`).
 * - Removal of finished sagas (for a `SagaManager` retention policy): `findFinished` filters on the
 *   `status`, `stalled` and `updated_at` columns; `deleteFinished` is one `DELETE … WHERE id AND
 *   version` (and still finished), so a saga saved since it was found stays. The finder reads the
 *   oldest due sagas first through a partial index on finished sagas (migration 4), so a round
 *   costs its batch, not a scan of the table.
 *
 * @example
 * const sagas = new PostgresSagaRepository(db, { schema: 'shop' });
 * const manager = new SagaManager(sagas, registry, bus, { commandTypes });
 */
export class PostgresSagaRepository implements RemovingSagaRepository {
  readonly #executor: SqlExecutor;
  readonly #options: PostgresSagaRepositoryOptions;
  readonly #insert: string;
  readonly #update: string;
  readonly #diagnose: string;
  readonly #byId: string;
  readonly #byCorrelation: string;
  readonly #stalled: string;
  readonly #suspended: string;
  readonly #expired: string;
  readonly #finished: string;
  readonly #delete: string;

  constructor(executor: SqlExecutor, options: PostgresSagaRepositoryOptions = {}) {
    const s = quoteIdent(assertSchemaName(options.schema ?? DEFAULT_SCHEMA, OWNER));
    this.#executor = executor;
    this.#options = options;
    // DO NOTHING (rather than an error) keeps a unit of work's transaction usable: the conflict is
    // then explained by #diagnose.
    this.#insert = `INSERT INTO ${s}.sagas
      (id, saga_type, correlation_id, version, status, stalled, timeout_at, state, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)
      ON CONFLICT DO NOTHING
      RETURNING version`;
    this.#update = `UPDATE ${s}.sagas
      SET saga_type = $2, correlation_id = $3, version = $4, status = $5, stalled = $6,
          timeout_at = $7, state = $8::jsonb, updated_at = $9
      WHERE id = $1 AND version = $10
      RETURNING version`;
    this.#diagnose = `SELECT id, version FROM ${s}.sagas
      WHERE id = $1 OR (saga_type = $2 AND correlation_id = $3)`;
    const columns = 'version, state';
    this.#byId = `SELECT ${columns} FROM ${s}.sagas WHERE id = $1`;
    this.#byCorrelation = `SELECT ${columns} FROM ${s}.sagas WHERE saga_type = $1 AND correlation_id = $2`;
    this.#stalled = `SELECT ${columns} FROM ${s}.sagas WHERE stalled ORDER BY created_at, id LIMIT $1`;
    this.#suspended = `SELECT ${columns} FROM ${s}.sagas WHERE status = '${SagaStatus.SUSPENDED}'
      ORDER BY created_at, id LIMIT $1`;
    this.#expired = `SELECT ${columns} FROM ${s}.sagas
      WHERE status = '${SagaStatus.SUSPENDED}' AND timeout_at IS NOT NULL AND timeout_at <= $1
      ORDER BY timeout_at, created_at, id LIMIT $2`;
    // A missing cutoff is NULL, and `updated_at < NULL` is never true: that status is kept.
    this.#finished = `SELECT ${columns} FROM ${s}.sagas
      WHERE status IN (${FINISHED}) AND NOT stalled
        AND ((status = '${SagaStatus.COMPLETED}' AND updated_at < $1)
          OR (status = '${SagaStatus.FAILED}' AND updated_at < $2)
          OR (status = '${SagaStatus.COMPENSATED}' AND updated_at < $3))
      ORDER BY updated_at, id
      LIMIT $4`;
    this.#delete = `DELETE FROM ${s}.sagas AS s
      USING unnest($1::text[], $2::int4[]) AS d(id, version)
      WHERE s.id = d.id AND s.version = d.version AND s.status IN (${FINISHED}) AND NOT s.stalled
      RETURNING s.id`;
  }

  /** The same repository writing through `executor` (e.g. an open transaction). */
  withExecutor(executor: SqlExecutor): PostgresSagaRepository {
    return new PostgresSagaRepository(executor, this.#options);
  }

  async save(state: AnySagaState, options: SagaSaveOptions = {}): Promise<void> {
    const expected = options.expectedVersion ?? state.version;
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw ValidationError.of(OWNER, 'expectedVersion', 'must be a non-negative integer');
    }
    const next = expected + 1;
    const json = state.toJSON();
    const columns = [
      json.id,
      json.sagaType,
      json.correlationId,
      next,
      json.status,
      state.isStalled,
      json.timeoutAt,
      JSON.stringify({ ...json, version: next }),
    ];
    const executor = resolveExecutor(this.#executor);
    let rows: object[];
    try {
      rows =
        expected === 0
          ? await executor.query(this.#insert, [...columns, json.createdAt, json.updatedAt])
          : await executor.query(this.#update, [...columns, json.updatedAt, expected]);
    } catch (error) {
      throw mapError(error, state);
    }
    if (rows.length === 0) throw await this.#conflict(executor, state, expected);
    setEntityVersion(state, next);
    state.clearEvents();
  }

  async getById(id: string): Promise<SagaState | undefined> {
    assertText(id, 'id');
    return this.#one(this.#byId, [id]);
  }

  async findByCorrelationId(
    correlationId: string,
    sagaType: string,
  ): Promise<SagaState | undefined> {
    assertText(correlationId, 'correlationId');
    assertText(sagaType, 'sagaType');
    return this.#one(this.#byCorrelation, [sagaType, correlationId]);
  }

  async findStalled(limit = 10): Promise<SagaState[]> {
    return this.#many(this.#stalled, [assertLimit(limit)]);
  }

  async findSuspended(limit = 10): Promise<SagaState[]> {
    return this.#many(this.#suspended, [assertLimit(limit)]);
  }

  async findExpiredSuspended(now: Date, limit = 10): Promise<SagaState[]> {
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      throw ValidationError.of(OWNER, 'now', 'must be a valid Date');
    }
    return this.#many(this.#expired, [now, assertLimit(limit)]);
  }

  async findFinished(cutoffs: FinishedSagaCutoffs, limit = 10): Promise<SagaState[]> {
    const params = [
      cutoff(cutoffs, SagaStatus.COMPLETED),
      cutoff(cutoffs, SagaStatus.FAILED),
      cutoff(cutoffs, SagaStatus.COMPENSATED),
    ];
    if (params.every((p) => p === null)) return [];
    return this.#many(this.#finished, [...params, assertLimit(limit)]);
  }

  async deleteFinished(sagas: readonly StoredSagaRef[]): Promise<string[]> {
    for (const { id, version } of sagas) {
      assertText(id, 'id');
      if (!Number.isSafeInteger(version) || version < 1) {
        throw ValidationError.of(OWNER, 'version', 'must be a positive integer');
      }
    }
    if (sagas.length === 0) return [];
    const rows = await resolveExecutor(this.#executor).query<{ id: string }>(this.#delete, [
      sagas.map((s) => s.id),
      sagas.map((s) => s.version),
    ]);
    return rows.map((row) => row.id);
  }

  async #one(text: string, params: readonly unknown[]): Promise<SagaState | undefined> {
    const [row] = await resolveExecutor(this.#executor).query<SagaRow>(text, params);
    return row === undefined ? undefined : toState(row);
  }

  async #many(text: string, params: readonly unknown[]): Promise<SagaState[]> {
    return (await resolveExecutor(this.#executor).query<SagaRow>(text, params)).map(toState);
  }

  /** Why a save matched no row: a newer (or missing) version, or another saga's correlation. */
  async #conflict(
    executor: SqlExecutor,
    state: AnySagaState,
    expected: number,
  ): Promise<ConcurrencyError> {
    const rows = await executor.query<{ id: string; version: number | string }>(this.#diagnose, [
      state.id,
      state.sagaType,
      state.correlationId,
    ]);
    const own = rows.find((row) => row.id === state.id);
    if (own !== undefined || expected > 0) {
      return new ConcurrencyError(`saga-${state.id}`, expected, Number(own?.version ?? 0));
    }
    return correlationTaken(state);
  }
}

function cutoff(cutoffs: FinishedSagaCutoffs, status: keyof FinishedSagaCutoffs): Date | null {
  const at = cutoffs[status];
  if (at === undefined) return null;
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw ValidationError.of(OWNER, `cutoffs.${status}`, 'must be a valid Date');
  }
  return at;
}

function toState(row: SagaRow): SagaState {
  // The version column is the truth; the copy inside the JSON is only for readers of raw rows.
  return SagaState.fromJSON({ ...row.state, version: Number(row.version) });
}

function correlationTaken(state: AnySagaState, cause?: unknown): ConcurrencyError {
  return new ConcurrencyError(`saga ${state.sagaType}/${state.correlationId}`, 0, 1, {
    message: `A ${state.sagaType} saga already exists for correlation ${state.correlationId}`,
    ...(cause === undefined ? {} : { cause }),
  });
}

function mapError(error: unknown, state: AnySagaState): unknown {
  const pg = pgErrorFields(error);
  if (pg === undefined) return error;
  // Only an update that changes the saga type or correlation can still violate the unique key.
  if (pg.code === SqlState.UniqueViolation) return correlationTaken(state, error);
  if (
    pg.code === SqlState.UntranslatableCharacter ||
    pg.code === SqlState.CharacterNotInRepertoire
  ) {
    const issue = ValidationError.of(
      OWNER,
      'state',
      `cannot be stored: ${(error as Error).message} (JSON strings may not contain \\u0000)`,
    );
    return new ValidationError(OWNER, issue.issues, { cause: error });
  }
  return error;
}

function assertText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\u0000')) {
    throw ValidationError.of(OWNER, field, 'must be a non-empty string without NUL characters');
  }
}

function assertLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw ValidationError.of(OWNER, 'limit', 'must be a positive integer');
  }
  return limit;
}
