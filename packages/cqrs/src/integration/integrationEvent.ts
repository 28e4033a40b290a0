import {
  type Clock,
  deepFreeze,
  domainDefaults,
  type IdGenerator,
  type InputOf,
  inputJsonSchema,
  type PropsOf,
  parseOrThrow,
  readMessageJSON,
  type Shape,
  shapeFields,
  stableStringify,
  ValidationError,
  valuesEqual,
} from '@pd/ddd';
import { z } from 'zod';
import { checkMessageDefinition } from '../messages/checkMessageDefinition.js';

/** Optional metadata when constructing an integration event; absent values are minted. */
export interface IntegrationEventMetadataInput {
  readonly eventId?: string;
  /** ISO-8601 timestamp with a zone (`Z` or an offset). */
  readonly occurredAt?: string;
}

/** JSON form of an integration event. */
export interface IntegrationEventJSON {
  readonly type: string;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly payload: Record<string, unknown>;
}

/** Names an integration event class reserves. */
export const INTEGRATION_EVENT_RESERVED = [
  'eventId',
  'occurredAt',
  'eventType',
  'payload',
  'equals',
  'hashKey',
  'toJSON',
] as const;

const metadataSchema = z.strictObject({
  eventId: z.string().min(1).optional(),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});

/**
 * Base class of every integration event: a message published to other bounded contexts. Its
 * fields are JSON values only (checked deeply at construction), so what is sent is exactly what
 * is received. Build subclasses with {@link IntegrationEvent}.
 */
export abstract class IntegrationEventBase {
  /** Set by {@link IntegrationEvent}. */
  static readonly typeName: string;
  declare readonly eventId: string;
  /** ISO-8601 UTC timestamp (a string: it crosses process boundaries as is). */
  declare readonly occurredAt: string;

  /** The explicit type name of this event's class. */
  get eventType(): string {
    return (this.constructor as typeof IntegrationEventBase).typeName;
  }

  /** The event's own fields as a fresh plain object. */
  payload(): Record<string, unknown> {
    return shapeFields(this, { omitUndefined: true });
  }

  /** Same type, id, timestamp and fields. */
  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof IntegrationEventBase) || other.eventType !== this.eventType)
      return false;
    return (
      other.eventId === this.eventId &&
      other.occurredAt === this.occurredAt &&
      valuesEqual(this.payload(), other.payload())
    );
  }

  /** A stable key for Maps and Sets. */
  hashKey(): string {
    return `${this.eventType}:${stableStringify(this.toJSON())}`;
  }

  /** `{ type, eventId, occurredAt, payload }`; the payload is already JSON. */
  toJSON(): IntegrationEventJSON {
    return {
      type: this.eventType,
      eventId: this.eventId,
      occurredAt: this.occurredAt,
      payload: this.payload(),
    };
  }
}

/** Any integration event. */
export type AnyIntegrationEvent = IntegrationEventBase;

/** Options of {@link IntegrationEvent}. */
export interface IntegrationEventOptions {
  /** Id generator for this type's event ids. Default: the domain defaults (UUIDv7). */
  readonly idGenerator?: IdGenerator<string>;
  /** Clock for `occurredAt`. Default: the domain defaults. */
  readonly clock?: Clock;
}

/** The class returned by {@link IntegrationEvent}. */
export interface IntegrationEventClass<TName extends string, TShape extends Shape> {
  new (
    payload: InputOf<TShape>,
    metadata?: IntegrationEventMetadataInput,
  ): IntegrationEventBase & Readonly<PropsOf<TShape>>;
  readonly typeName: TName;
  readonly shape: TShape;
  readonly propsSchema: z.ZodObject<TShape>;
  idGenerator: IdGenerator<string> | undefined;
  clock: Clock | undefined;
  /** Rebuilds an event from its JSON form ({@link IntegrationEventJSON}), validating it. */
  fromJSON<TSelf extends new (payload: never, metadata?: IntegrationEventMetadataInput) => object>(
    this: TSelf,
    json: unknown,
  ): InstanceType<TSelf>;
  /** JSON Schema of the payload, for event catalogs. */
  jsonSchema(): Record<string, unknown>;
}

/**
 * Defines an integration event class: frozen, `eventId` (UUIDv7 by default) and `occurredAt` (an
 * ISO-8601 UTC string from the clock) minted when absent, and every field value a JSON value all
 * the way down — a `Date`, `Map`, `Set`, class instance, `bigint`, function, `NaN` or `Infinity`
 * anywhere in a field fails with a `ValidationError` naming its path (`lines.0.price`).
 *
 * @example
 * class OrderShipped extends IntegrationEvent('sales.OrderShipped', { orderId: z.string(), lines: z.array(z.object({ sku: z.string() })) }) {}
 * broker.publish('sales', new OrderShipped({ orderId, lines }).toJSON());
 */
export function IntegrationEvent<TName extends string, TShape extends Shape>(
  typeName: TName,
  shape: TShape,
  options: IntegrationEventOptions = {},
): IntegrationEventClass<TName, TShape> {
  checkMessageDefinition(
    typeName,
    shape,
    INTEGRATION_EVENT_RESERVED,
    'integration event definition',
  );
  const propsSchema = z.object(shape);
  const keys = Object.keys(shape);

  class GeneratedIntegrationEvent extends IntegrationEventBase {
    static override readonly typeName = typeName;
    static readonly shape = shape;
    static readonly propsSchema = propsSchema;
    static idGenerator: IdGenerator<string> | undefined = options.idGenerator;
    static clock: Clock | undefined = options.clock;

    constructor(payload: unknown, metadata?: IntegrationEventMetadataInput) {
      super();
      const props = parseOrThrow(propsSchema, payload ?? {}, typeName) as Record<string, unknown>;
      for (const key of keys) {
        if (props[key] !== undefined) assertJsonSafe(typeName, key, props[key], new Set());
      }
      const meta = parseOrThrow(metadataSchema, metadata ?? {}, typeName);
      const cls = this.constructor as typeof GeneratedIntegrationEvent;
      const defaults = domainDefaults();
      for (const key of keys) (this as Record<string, unknown>)[key] = deepFreeze(props[key]);
      Object.assign(this, {
        eventId: meta.eventId ?? (cls.idGenerator ?? defaults.idGenerator).generate(),
        occurredAt: meta.occurredAt ?? (cls.clock ?? defaults.clock).now().toISOString(),
      });
      Object.freeze(this);
    }

    static fromJSON(
      this: new (
        p: unknown,
        m?: IntegrationEventMetadataInput,
      ) => object,
      json: unknown,
    ): object {
      const { payload, metadata } = readMessageJSON(typeName, json, ['eventId', 'occurredAt']);
      return new this(payload, metadata);
    }

    static jsonSchema(): Record<string, unknown> {
      return inputJsonSchema(propsSchema);
    }
  }
  return GeneratedIntegrationEvent as unknown as IntegrationEventClass<TName, TShape>;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}

/** Throws unless `value` is a JSON value (string, finite number, boolean, null, array, plain object) all the way down. */
function assertJsonSafe(typeName: string, path: string, value: unknown, seen: Set<object>): void {
  const fail = (what: string): never => {
    throw ValidationError.of(
      typeName,
      path,
      `must be a JSON value (string, finite number, boolean, null, array or plain object), got ${what}`,
    );
  };
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) fail(describe(value));
      return;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) fail('a circular reference');
      seen.add(value);
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          assertJsonSafe(typeName, `${path}.${i}`, item, seen);
        });
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) fail(describe(value));
        for (const [key, item] of Object.entries(value))
          assertJsonSafe(typeName, `${path}.${key}`, item, seen);
      }
      seen.delete(value);
      return;
    }
    default:
      fail(describe(value));
  }
}
