import { z } from 'zod';
import { ValidationError } from '../errors/validationError.js';
import { domainDefaults } from '../identity/domainDefaults.js';
import type { IdGenerator } from '../identity/idGenerator.js';
import type { Clock } from '../time/clock.js';
import {
  assertNoReserved,
  assertTypeName,
  deepFreeze,
  frozenDate,
  inputJsonSchema,
  parseOrThrow,
  readMessageJSON,
  type Shape,
  shapeFields,
  stableStringify,
  toJsonValue,
  valuesEqual,
} from './internal.js';
import type { AnyModelConstructor, InputOf, ModelClass, PropsOf } from './valueObject.js';

/** Tracing and identity data every domain event carries besides its payload. */
export interface EventMetadata {
  readonly eventId: string;
  readonly occurredAt: Date;
  readonly schemaVersion: number;
  readonly correlationId: string | null;
  readonly causationId: string | null;
}

/** Optional metadata at construction; anything absent is minted (id, time) or defaulted. */
export type EventMetadataInput = {
  readonly eventId?: string;
  readonly occurredAt?: Date | string;
  readonly schemaVersion?: number;
  readonly correlationId?: string | null;
  readonly causationId?: string | null;
};

/** The JSON form of a domain event. */
export interface DomainEventJSON {
  readonly type: string;
  readonly schemaVersion: number;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly payload: Record<string, unknown>;
}

/** Names a domain event class reserves. */
export const EVENT_RESERVED = [
  'eventId',
  'occurredAt',
  'schemaVersion',
  'correlationId',
  'causationId',
  'eventType',
  'payload',
  'metadata',
  'stamp',
  'equals',
  'hashKey',
  'toJSON',
  'constructor',
] as const;

/** The metadata fields of {@link DomainEventJSON}, in the order `fromJSON` reads them. */
const EVENT_METADATA_KEYS = [
  'eventId',
  'occurredAt',
  'schemaVersion',
  'correlationId',
  'causationId',
] as const;

const metadataSchema = z.object({
  eventId: z.string().min(1).optional(),
  // A Date or an ISO-8601 string with offset; never coerced, so null, numbers and booleans fail
  // instead of silently becoming 1970. A given Date is copied: the caller keeps no handle on it.
  occurredAt: z
    .union([z.date(), z.iso.datetime({ offset: true })])
    .transform(frozenDate)
    .optional(),
  schemaVersion: z.number().int().positive().optional(),
  correlationId: z.string().min(1).nullable().optional(),
  causationId: z.string().min(1).nullable().optional(),
});

type ParsedMetadata = z.output<typeof metadataSchema>;

/** The parsed metadata of an event built without any. */
const NO_METADATA: ParsedMetadata = Object.freeze({});

/** The ISO-8601 form `metadataSchema` accepts for a string `occurredAt`. */
const ISO_DATETIME = z.regexes.datetime({ offset: true });

const isTracingId = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === 'string' && value.length > 0);

/**
 * `metadataSchema`'s result for well-formed metadata, checked by hand: every event read back from
 * a store comes this way, and the schema's union and transform were a fifth of a replay.
 * Anything it does not recognise returns undefined, and the schema decides (and words the error).
 */
function parseWellFormedMetadata(input: EventMetadataInput): ParsedMetadata | undefined {
  const { eventId, occurredAt, schemaVersion, correlationId, causationId } = input;
  if (eventId !== undefined && (typeof eventId !== 'string' || eventId.length === 0)) return;
  if (
    schemaVersion !== undefined &&
    (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1)
  ) {
    return;
  }
  if (!isTracingId(correlationId) || !isTracingId(causationId)) return;
  let at: Date | undefined;
  if (typeof occurredAt === 'string') {
    if (!ISO_DATETIME.test(occurredAt)) return;
    at = frozenDate(occurredAt);
  } else if (occurredAt instanceof Date) {
    if (Number.isNaN(occurredAt.getTime())) return;
    at = frozenDate(occurredAt);
  } else if (occurredAt !== undefined) {
    return;
  }
  const parsed: { -readonly [K in keyof ParsedMetadata]: ParsedMetadata[K] } = {};
  if (eventId !== undefined) parsed.eventId = eventId;
  if (at !== undefined) parsed.occurredAt = at;
  if (schemaVersion !== undefined) parsed.schemaVersion = schemaVersion;
  if (correlationId !== undefined) parsed.correlationId = correlationId;
  if (causationId !== undefined) parsed.causationId = causationId;
  return parsed;
}

function parseMetadata(input: EventMetadataInput | undefined, typeName: string): ParsedMetadata {
  if (input === undefined) return NO_METADATA;
  if (typeof input === 'object' && input !== null) {
    const parsed = parseWellFormedMetadata(input);
    if (parsed !== undefined) return parsed;
  }
  return parseOrThrow(metadataSchema, input, typeName);
}

/** Base class of every domain event. Build subclasses with {@link DomainEvent}. */
export abstract class DomainEventBase<TPayload extends object = object> implements EventMetadata {
  /** Set by {@link DomainEvent}. */
  static readonly typeName: string;
  /** Schema version new instances of this type carry (default 1). */
  static readonly schemaVersion: number;
  declare readonly eventId: string;
  declare readonly occurredAt: Date;
  declare readonly schemaVersion: number;
  declare readonly correlationId: string | null;
  declare readonly causationId: string | null;

  /** The explicit type name of this event's class. */
  get eventType(): string {
    return (this.constructor as typeof DomainEventBase).typeName;
  }

  /** The domain fields only, as a fresh plain object. */
  payload(): TPayload {
    return shapeFields(this) as TPayload;
  }

  /** The metadata only. */
  metadata(): EventMetadata {
    return {
      eventId: this.eventId,
      occurredAt: this.occurredAt,
      schemaVersion: this.schemaVersion,
      correlationId: this.correlationId,
      causationId: this.causationId,
    };
  }

  /**
   * A new event equal to this one but for its tracing ids. The original is untouched; id,
   * timestamp and payload are kept.
   */
  stamp(ids: { correlationId: string | null; causationId: string | null }): this {
    const Ctor = this.constructor as new (payload: unknown, meta: EventMetadataInput) => this;
    return new Ctor(this.payload(), { ...this.metadata(), ...ids });
  }

  /** Same type, same payload, same metadata. Two events minted separately are never equal. */
  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof DomainEventBase)) return false;
    if (other.eventType !== this.eventType) return false;
    return (
      valuesEqual(this.metadata(), other.metadata()) && valuesEqual(this.payload(), other.payload())
    );
  }

  /** A stable key for Maps and Sets. */
  hashKey(): string {
    return `${this.eventType}:${stableStringify(this.toJSON())}`;
  }

  toJSON(): DomainEventJSON {
    return {
      type: this.eventType,
      schemaVersion: this.schemaVersion,
      eventId: this.eventId,
      occurredAt: this.occurredAt.toISOString(),
      correlationId: this.correlationId,
      causationId: this.causationId,
      payload: toJsonValue(this.payload()) as Record<string, unknown>,
    };
  }
}

/** Any domain event instance. */
export type AnyDomainEvent = DomainEventBase<object>;

/** Options of {@link DomainEvent}. */
export interface DomainEventOptions {
  /** Schema version of this event type (default 1). Bump it when the payload changes shape. */
  readonly schemaVersion?: number;
  /** Id generator for this type's event ids. Default: the domain defaults. */
  readonly idGenerator?: IdGenerator<string>;
  /** Clock for this type's timestamps. Default: the domain defaults. */
  readonly clock?: Clock;
}

/** The class returned by {@link DomainEvent}. */
export interface DomainEventClass<TName extends string, TShape extends Shape>
  extends ModelClass<TName, TShape> {
  new (
    payload: InputOf<TShape>,
    metadata?: EventMetadataInput,
  ): DomainEventBase<PropsOf<TShape>> & Readonly<PropsOf<TShape>>;
  readonly schemaVersion: number;
  idGenerator: IdGenerator<string> | undefined;
  clock: Clock | undefined;
  /** Rebuilds an event from its JSON form ({@link DomainEventJSON}); validates the payload. */
  fromJSON<TSelf extends AnyModelConstructor>(this: TSelf, json: unknown): InstanceType<TSelf>;
  /** JSON Schema of the payload, for event catalogs. */
  jsonSchema(): Record<string, unknown>;
}

/**
 * Defines a domain event class: an immutable fact with a payload from a zod shape, an event id,
 * `occurredAt`, a schema version and correlation / causation ids.
 *
 * @example
 * class OrderPlaced extends DomainEvent('OrderPlaced', { orderId: z.uuid(), total: z.number().int() }) {}
 * const event = new OrderPlaced({ orderId, total: 100 });
 * event.eventId; event.occurredAt; event.orderId;
 */
export function DomainEvent<TName extends string, TShape extends Shape>(
  typeName: TName,
  shape: TShape,
  options: DomainEventOptions = {},
): DomainEventClass<TName, TShape> {
  assertTypeName(typeName);
  assertNoReserved(typeName, shape, EVENT_RESERVED);
  const defaultVersion = options.schemaVersion ?? 1;
  if (!Number.isInteger(defaultVersion) || defaultVersion < 1) {
    throw ValidationError.of(
      typeName,
      'schemaVersion',
      'schema version must be a positive integer',
    );
  }
  const propsSchema = z.object(shape);
  const keys = Object.keys(shape);

  class GeneratedEvent extends DomainEventBase<object> {
    static override readonly typeName = typeName;
    static override readonly schemaVersion = defaultVersion;
    static readonly shape = shape;
    static readonly propsSchema = propsSchema;
    static idGenerator: IdGenerator<string> | undefined = options.idGenerator;
    static clock: Clock | undefined = options.clock;

    constructor(payload: unknown, metadata?: EventMetadataInput) {
      super();
      const cls = this.constructor as typeof GeneratedEvent;
      const props = parseOrThrow(propsSchema, payload, typeName) as Record<string, unknown>;
      const meta = parseMetadata(metadata, typeName);
      const self = this as Record<string, unknown>;
      for (const key of keys) self[key] = deepFreeze(props[key]);
      // Assigned one by one (no temporary object), in the order the id and the time are minted;
      // the domain defaults are looked up only when the class and the caller name no source.
      self.eventId = meta.eventId ?? (cls.idGenerator ?? domainDefaults().idGenerator).generate();
      self.occurredAt = meta.occurredAt ?? frozenDate((cls.clock ?? domainDefaults().clock).now());
      self.schemaVersion = meta.schemaVersion ?? cls.schemaVersion;
      self.correlationId = meta.correlationId ?? null;
      self.causationId = meta.causationId ?? null;
      Object.freeze(this);
    }

    static fromJSON(
      this: new (
        p: unknown,
        m?: EventMetadataInput,
      ) => object,
      json: unknown,
    ): object {
      const { payload, metadata } = readMessageJSON(typeName, json, EVENT_METADATA_KEYS);
      return new this(payload, metadata);
    }

    static jsonSchema(): Record<string, unknown> {
      return inputJsonSchema(propsSchema);
    }
  }

  return GeneratedEvent as unknown as DomainEventClass<TName, TShape>;
}

/**
 * Turns a stored event of an older schema version into the current one. Implemented by
 * `@pd/advanced`'s upcaster registry; consumed by every reader (repository, projections,
 * subscriptions, event registry), so they see current-version events from any store.
 * Must return `event` unchanged when no upcaster applies.
 */
export interface UpcastHook {
  upcast(event: DomainEventJSON): DomainEventJSON;
}
