import { AssertionError } from 'node:assert';
import { isPdError, stableStringify, toJsonValue } from '@pd/ddd';

/**
 * Throws a plain `node:assert` {@link AssertionError}: every runner (vitest, jest, node:test)
 * reports it as a failed assertion, and `actual`/`expected` give the runner's diff view.
 */
export function fail(
  message: string,
  details: { actual?: unknown; expected?: unknown } = {},
): never {
  const hasDiff = 'actual' in details || 'expected' in details;
  throw new AssertionError({
    message,
    // No `operator`: with one, node appends its own comparison to the message.
    ...(hasDiff ? { actual: details.actual, expected: details.expected } : {}),
  });
}

/** The JSON form of a value with object keys sorted, for comparisons that ignore key order. */
export function jsonOf(value: unknown): unknown {
  const json = toJsonDeep(value);
  return json === undefined ? undefined : JSON.parse(stableStringify(json));
}

/** Like `toJsonValue`, but recursing into what a `toJSON()` returned. */
function toJsonDeep(value: unknown): unknown {
  const json = toJsonValue(value);
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(toJsonDeep);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(json)) if (v !== undefined) out[key] = toJsonDeep(v);
  return out;
}

/** True when both values have the same JSON form (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  return stableStringify(jsonOf(a)) === stableStringify(jsonOf(b));
}

/** One line describing an error: its class, code and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = isPdError(error) ? ` [${error.code}]` : '';
    return `${error.name}${code}: ${error.message}`;
  }
  return `non-error value thrown: ${String(error)}`;
}

/** What `thenThrows` accepts: an error class, a pd error `code`, or a predicate. */
export type ErrorExpectation =
  | (abstract new (
      ...args: never[]
    ) => Error)
  | string
  | ((error: unknown) => boolean);

/**
 * True when `error` — or, for classes and codes, any error on its `cause` chain (a command bus
 * wraps handler errors in `CommandExecutionError`) — matches `expected`.
 */
export function errorMatches(error: unknown, expected: ErrorExpectation | undefined): boolean {
  if (expected === undefined) return true;
  if (typeof expected === 'string' || isClass(expected)) {
    let current: unknown = error;
    for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
      if (typeof expected === 'string') {
        if ((current as { code?: unknown }).code === expected) return true;
      } else if (current instanceof expected) return true;
      current = (current as { cause?: unknown }).cause;
    }
    return false;
  }
  return (expected as (error: unknown) => boolean)(error);
}

function isClass(value: unknown): value is abstract new (...args: never[]) => Error {
  return (
    typeof value === 'function' &&
    (value === Error || (value as { prototype?: unknown }).prototype instanceof Error)
  );
}

/** How an {@link ErrorExpectation} reads in a failure message. */
export function describeExpectation(expected: ErrorExpectation | undefined): string {
  if (expected === undefined) return 'an error';
  if (typeof expected === 'string') return `an error with code "${expected}"`;
  if (isClass(expected)) return `a ${expected.name}`;
  return 'an error matching the predicate';
}
