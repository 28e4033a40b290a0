import { PdError } from '@pd/ddd';

/**
 * The PostgreSQL adapter is misconfigured: no connection URL, an unusable option. Thrown before
 * anything connects.
 */
export class PostgresConfigError extends PdError<'POSTGRES_CONFIG'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('POSTGRES_CONFIG', message, options);
  }
}

/**
 * A transaction can no longer commit: a statement inside it failed, so PostgreSQL aborted it.
 * Committing it would silently roll back; pd rolls it back and throws this instead. `cause` is the
 * first failure.
 */
export class TransactionAbortedError extends PdError<'TRANSACTION_ABORTED'> {
  constructor(cause: unknown) {
    super(
      'TRANSACTION_ABORTED',
      `The transaction was rolled back because a statement in it failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** The error fields PostgreSQL reports (node-postgres and PGlite expose the same names). */
export interface PgErrorFields {
  readonly code: string;
  readonly constraint?: string | undefined;
  readonly detail?: string | undefined;
}

/** The SQLSTATE of a driver error, or `undefined` when `error` did not come from PostgreSQL. */
export function pgErrorFields(error: unknown): PgErrorFields | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  return error as PgErrorFields;
}

/** SQLSTATEs pd reacts to. */
export const SqlState = Object.freeze({
  UniqueViolation: '23505',
  CharacterNotInRepertoire: '22021',
  UntranslatableCharacter: '22P05',
  InvalidTextRepresentation: '22P02',
  LockNotAvailable: '55P03',
  QueryCanceled: '57014',
} as const);
