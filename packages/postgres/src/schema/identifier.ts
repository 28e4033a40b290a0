import { ValidationError } from '@pd/ddd';

/**
 * What a schema (or table-prefix) name may look like: a lower-case SQL identifier of at most 48
 * characters, so derived names (`<schema>_events`, notification channels) stay under PostgreSQL's
 * 63-byte limit. Deliberately stricter than PostgreSQL: no quoting tricks, no case folding.
 */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;

/** The schema every store uses unless told otherwise. */
export const DEFAULT_SCHEMA = 'pd';

/**
 * Checks a schema name against {@link SCHEMA_NAME_PATTERN} and returns it, or throws a
 * `ValidationError` naming the `schema` field. Every store calls it in its constructor, before any
 * SQL runs, because identifiers cannot be sent as query parameters.
 *
 * @example
 * assertSchemaName('billing'); // 'billing'
 * assertSchemaName('x"; drop table y; --'); // throws ValidationError (field 'schema')
 */
export function assertSchemaName(schema: unknown, owner = 'PostgresOptions'): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME_PATTERN.test(schema) || schema.startsWith('pg_')) {
    throw ValidationError.of(
      owner,
      'schema',
      `must match ${SCHEMA_NAME_PATTERN.source} and not start with pg_ (got ${JSON.stringify(schema)})`,
    );
  }
  return schema;
}

/** Double-quotes an identifier that already passed {@link assertSchemaName}. */
export function quoteIdent(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** A stable signed 32-bit hash (FNV-1a) used to namespace advisory-lock keys per schema. */
export function int32Hash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
