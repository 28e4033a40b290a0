import { z } from 'zod';
import { ValidationError } from '../errors/validationError.js';

/** A zod object shape: field name → schema. */
export type Shape = z.core.$ZodShape;

/**
 * Parses `input` with `schema`, turning a zod failure into a {@link ValidationError}.
 *
 * @internal Shared with `@pd/cqrs`'s message classes; not part of the supported API.
 */
export function parseOrThrow<T>(
  schema: z.ZodType<T>,
  input: unknown,
  typeName: string,
  prefix?: string,
): T {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(typeName, result.error, prefix);
  return result.data;
}

function refuse(what: string, method: string): never {
  throw new TypeError(`Cannot call ${method}() on a ${what} of an immutable model`);
}

/**
 * The Date a frozen model holds: a `Date` in every respect (`instanceof`, `getTime`, `toJSON`,
 * equality) except that its setters throw. `Object.freeze` alone cannot stop `setTime`, which
 * changes an internal slot, not a property.
 */
class FrozenDate extends Date {}
for (const method of Object.getOwnPropertyNames(Date.prototype)) {
  if (!method.startsWith('set')) continue;
  Object.defineProperty(FrozenDate.prototype, method, {
    value: () => refuse('date', method),
    writable: false,
    configurable: false,
  });
}

/**
 * A read-only `Date` of `time` (a Date, a timestamp or a date string), for a model to hold.
 *
 * @internal Shared with the model classes; not part of the supported API.
 */
export function frozenDate(time: Date | number | string): Date {
  return Object.freeze(new FrozenDate(time instanceof Date ? time.getTime() : time));
}

/** Set while a {@link FrozenMap} or {@link FrozenSet} is filled by its own constructor. */
let filling = false;

/** A `Map` whose `set`, `delete` and `clear` throw once it is built. */
class FrozenMap<K, V> extends Map<K, V> {
  override set(key: K, value: V): this {
    return filling ? super.set(key, value) : refuse('map', 'set');
  }
  override delete(): boolean {
    return refuse('map', 'delete');
  }
  override clear(): void {
    refuse('map', 'clear');
  }
}

/** A `Set` whose `add`, `delete` and `clear` throw once it is built. */
class FrozenSet<T> extends Set<T> {
  override add(value: T): this {
    return filling ? super.add(value) : refuse('set', 'add');
  }
  override delete(): boolean {
    return refuse('set', 'delete');
  }
  override clear(): void {
    refuse('set', 'clear');
  }
}

/** Builds a frozen collection; its entries are frozen first. */
function filled<C>(build: () => C): C {
  filling = true;
  try {
    return Object.freeze(build());
  } finally {
    filling = false;
  }
}

/**
 * Freezes a field value all the way down and returns what the model should hold: plain objects
 * and arrays are frozen in place (their elements replaced by frozen ones); a `Date`, `Map` or
 * `Set` is replaced by a read-only copy whose mutators throw. Class instances (models) freeze
 * themselves and are returned as they are.
 *
 * @internal Shared with `@pd/cqrs` and `@pd/eventsourcing`; not part of the supported API.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return (value instanceof FrozenDate ? value : frozenDate(value)) as T;
  if (value instanceof Map) {
    if (value instanceof FrozenMap) return value;
    const entries = [...value].map(([k, v]) => [deepFreeze(k), deepFreeze(v)] as const);
    return filled(() => new FrozenMap(entries)) as T;
  }
  if (value instanceof Set) {
    if (value instanceof FrozenSet) return value;
    const items = [...value].map((item) => deepFreeze(item));
    return filled(() => new FrozenSet(items)) as T;
  }
  if (Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = deepFreeze(value[i]);
    return Object.freeze(value);
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      const frozen = deepFreeze(item);
      if (frozen !== item) record[key] = frozen;
    }
    return Object.freeze(value);
  }
  return value;
}

interface Equatable {
  equals(other: unknown): boolean;
}

function isEquatable(value: object): value is Equatable {
  return typeof (value as Partial<Equatable>).equals === 'function';
}

/** Structural equality for model field values: primitives, dates, arrays, plain objects, maps, sets, models. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (isEquatable(a)) return a.equals(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => valuesEqual(item, b[i]));
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !valuesEqual(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set) {
    if (!(b instanceof Set) || a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) &&
      valuesEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/** Converts a field value to its JSON form: dates as ISO strings, models through their `toJSON`. */
export function toJsonValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON(): unknown }).toJSON();
  }
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v)]));
  if (value instanceof Set) return [...value].map(toJsonValue);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = toJsonValue(v);
  }
  return out;
}

/** A stable string for a JSON value: object keys sorted, so equal values give equal keys. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys
    .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

/** Copies the listed own fields of `source` into a fresh plain object. */
export function pickFields(source: object, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = (source as Record<string, unknown>)[key];
  return out;
}

/**
 * The fields a model instance's class declares in its static `shape`, as a fresh plain object:
 * what `payload()` returns. With `omitUndefined`, absent optional fields are left out.
 *
 * @internal Shared with `@pd/cqrs`'s message classes; not part of the supported API.
 */
export function shapeFields(
  instance: object,
  options: { readonly omitUndefined?: boolean } = {},
): Record<string, unknown> {
  const { shape } = instance.constructor as unknown as { readonly shape: Shape };
  const out = pickFields(instance, Object.keys(shape));
  if (options.omitUndefined === true) {
    for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  }
  return out;
}

/**
 * JSON Schema of a model's input shape, for catalogs: what callers may pass, with types JSON
 * Schema cannot express left open rather than failing.
 *
 * @internal Shared with `@pd/cqrs`'s message classes; not part of the supported API.
 */
export function inputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/**
 * Opens the JSON form of a message (`{ type, …metadata, payload }`) for its class's `fromJSON`:
 * rejects a non-object and a `type` naming another class, and returns the payload (default `{}`)
 * with the listed metadata keys that are present.
 *
 * @internal Shared with `@pd/cqrs`'s message classes; not part of the supported API.
 */
export function readMessageJSON(
  typeName: string,
  json: unknown,
  metadataKeys: readonly string[],
): { readonly payload: unknown; readonly metadata: Record<string, unknown> } {
  if (typeof json !== 'object' || json === null) {
    throw ValidationError.of(typeName, '', 'expected an object');
  }
  const j = json as Record<string, unknown>;
  if (j.type !== undefined && j.type !== typeName) {
    throw ValidationError.of(typeName, 'type', `expected type ${typeName}, got ${String(j.type)}`);
  }
  // The class's constructor validates these; here they are only copied across.
  const metadata: Record<string, unknown> = {};
  for (const key of metadataKeys) if (j[key] !== undefined) metadata[key] = j[key];
  return { payload: j.payload ?? {}, metadata };
}

/**
 * Throws at class-definition time when a shape uses a name the base class reserves.
 *
 * @internal Shared with `@pd/cqrs`'s message classes; not part of the supported API.
 */
export function assertNoReserved(
  typeName: string,
  shape: Shape,
  reserved: readonly string[],
): void {
  for (const key of reserved) {
    if (Object.hasOwn(shape, key)) {
      throw ValidationError.of(
        typeName,
        key,
        `"${key}" is reserved by the base class and cannot be a field`,
      );
    }
  }
}

/** Checks a type name at class-definition time: non-empty, no surrounding spaces. */
export function assertTypeName(typeName: unknown): asserts typeName is string {
  if (typeof typeName !== 'string' || typeName.trim() === '' || typeName.trim() !== typeName) {
    throw ValidationError.of(
      'type definition',
      'typeName',
      'a type name must be a non-empty string without surrounding spaces',
    );
  }
}
