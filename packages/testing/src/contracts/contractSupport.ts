import { DomainEvent, isPdError } from '@pd/ddd';
import { z } from 'zod';
import { describeError, fail } from '../assert/failure.js';

/** @internal Events the contract suites append. Type names are namespaced to avoid clashes. */
export class ItemAdded extends DomainEvent('pd.contract.ItemAdded', {
  item: z.string(),
  n: z.number().int(),
}) {}

/** @internal */
export class ItemRemoved extends DomainEvent('pd.contract.ItemRemoved', { item: z.string() }) {}

/** @internal An event with every JSON kind in its payload. */
export class RichEvent extends DomainEvent('pd.contract.RichEvent', {
  text: z.string(),
  count: z.number(),
  flag: z.boolean(),
  nothing: z.null(),
  list: z.array(z.union([z.string(), z.number()])),
  nested: z.object({ deeper: z.object({ values: z.array(z.string()) }) }),
}) {}

/** @internal `n` events on one stream. */
export function items(count: number, prefix = 'item'): ItemAdded[] {
  return Array.from(
    { length: count },
    (_, i) => new ItemAdded({ item: `${prefix}-${i + 1}`, n: i + 1 }),
  );
}

/** @internal Awaits `promise`, which must reject with a pd error of `code`; returns the error. */
export async function rejectsWithCode(
  promise: Promise<unknown>,
  code: string,
  what: string,
): Promise<Record<string, unknown>> {
  let result: unknown;
  try {
    result = await promise;
  } catch (error) {
    if (isPdError(error, code) || (error as { code?: unknown } | null)?.code === code) {
      return error as unknown as Record<string, unknown>;
    }
    fail(`${what}: expected an error with code ${code}, got ${describeError(error)}`, {
      actual: describeError(error),
      expected: code,
    });
  }
  return fail(
    `${what}: expected an error with code ${code}, but it resolved to ${safeJson(result)}`,
  );
}

/** @internal Awaits `promise`, which must reject (with anything); returns the error. */
export async function rejects(promise: Promise<unknown>, what: string): Promise<unknown> {
  let result: unknown;
  try {
    result = await promise;
  } catch (error) {
    return error;
  }
  return fail(`${what}: expected a rejection, but it resolved to ${safeJson(result)}`);
}

/** @internal Lets pending microtasks and I/O callbacks run. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** @internal A unique-enough suffix so stream names never collide across cases. */
let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}
