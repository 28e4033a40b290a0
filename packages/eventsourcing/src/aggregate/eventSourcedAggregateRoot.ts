import {
  AggregateRootBase,
  type AnyDomainEvent,
  type Clock,
  defineEntityClass,
  domainDefaults,
  type EntityOptions,
  IdGenerationError,
  type IdGenerator,
  type InputOf,
  type PropsOf,
  type Shape,
  Trusted,
  toJsonValue,
  ValidationError,
} from '@pd/ddd';
import type { z } from 'zod';
import {
  StateChangeOutsideEventError,
  UnknownEventTypeError,
} from '../errors/eventSourcingErrors.js';
import { type AnyEventClass, type EventOf, EventTypeMap } from '../serialization/eventTypeMap.js';
import type { Snapshot } from '../snapshot/snapshot.js';

/**
 * What an apply handler sees: the aggregate's fields, id and version (the version *before* the
 * event), all read-only.
 */
export type EventSourcedState<TShape extends Shape, TId = string> = Readonly<PropsOf<TShape>> & {
  readonly id: TId;
  readonly version: number;
};

/** The change an apply handler returns: some fields, validated like `set`. */
export type StatePatch<TShape extends Shape> = Partial<InputOf<TShape>>;

/**
 * One handler per declared event class, keyed by the class's `typeName`. Each receives the current
 * state and the typed event and returns the fields that change (or nothing). A missing handler, an
 * extra key or a handler typed for the wrong event is a compile error.
 */
export type EventHandlers<
  TShape extends Shape,
  TEvents extends readonly AnyEventClass[],
  TId = string,
> = {
  readonly [TClass in TEvents[number] as TClass['typeName']]: (
    state: EventSourcedState<TShape, TId>,
    event: InstanceType<TClass>,
  ) => StatePatch<TShape> | undefined;
};

/** Options of {@link EventSourcedAggregateRoot}. */
export interface EventSourcedAggregateRootOptions<
  TShape extends Shape,
  TEvents extends readonly AnyEventClass[],
  TId,
> {
  /** Every event class this aggregate records. Only these can be recorded or replayed. */
  readonly events: TEvents;
  /** How each event evolves the state: exhaustive over {@link events}. */
  readonly apply: NoInfer<EventHandlers<TShape, TEvents, TId>>;
  /** Schema of the id. Default: a UUID string. */
  readonly id?: z.ZodType<TId>;
  /** Generator for ids of new instances. Default: the domain defaults (UUIDv7). */
  readonly idGenerator?: IdGenerator<TId>;
}

type Handler = (state: unknown, event: AnyDomainEvent) => Record<string, unknown> | undefined;

const HANDLERS = Symbol('pd.eventsourcing.applyHandlers');

interface EventSourcedStatics {
  readonly typeName: string;
  readonly shape: Shape;
  readonly propsSchema: z.ZodType<Record<string, unknown>>;
  readonly idSchema: z.ZodType;
  readonly idGenerator: IdGenerator<unknown> | undefined;
  readonly snapshotSchemaVersion: number;
  readonly [HANDLERS]: ReadonlyMap<string, Handler>;
}

function staticsOf(aggregate: object): EventSourcedStatics {
  return aggregate.constructor as unknown as EventSourcedStatics;
}

/** The string form of an aggregate id, as used in stream ids and snapshots. */
export function aggregateIdKey(id: unknown): string {
  return typeof id === 'string' ? id : JSON.stringify(toJsonValue(id));
}

/** Options of {@link EventSourcedAggregateRootBase.toSnapshot}. */
export interface ToSnapshotOptions {
  /** Clock for `createdAt`. Default: the domain defaults. */
  readonly clock?: Clock;
}

/**
 * Base class of every event-sourced aggregate. Its state changes only by events: `record(event)`
 * runs the event's apply handler, buffers the event and bumps the version; `replay(events)` does
 * the same without buffering. Build subclasses with {@link EventSourcedAggregateRoot}.
 *
 * The version is the number of events applied, i.e. the stream version including pending events.
 */
export abstract class EventSourcedAggregateRootBase<
  TId = string,
  TInput = object,
  TEvent extends AnyDomainEvent = AnyDomainEvent,
> extends AggregateRootBase<TId, TInput, TEvent> {
  /**
   * Version of the snapshot state's shape. Override it (`static override readonly
   * snapshotSchemaVersion = 2`) when the fields change, so stale snapshots can be rejected.
   */
  static readonly snapshotSchemaVersion: number = 1;

  /**
   * Always throws {@link StateChangeOutsideEventError}: the state of an event-sourced aggregate
   * changes only through the apply handlers of recorded events.
   */
  protected override set(_patch: Partial<TInput>): never {
    throw new StateChangeOutsideEventError(
      staticsOf(this).typeName,
      'set() was called outside an apply handler',
    );
  }

  /**
   * Runs the event's apply handler, validates and assigns the returned change, then bumps the
   * version. If the handler or validation throws, neither state nor version changes.
   */
  protected override applyEvent(event: TEvent): void {
    const statics = staticsOf(this);
    const handler = statics[HANDLERS].get(event.eventType);
    if (handler === undefined) throw new UnknownEventTypeError(event.eventType, statics.typeName);
    const patch = handler(this, event);
    if (patch !== undefined && patch !== null) super.set(patch as Partial<TInput>);
    (this as { version: number }).version += 1;
  }

  /**
   * Applies past events without buffering them: the way a repository rebuilds the aggregate.
   * Versions continue, so replaying 2 and then recording 1 gives version 3 with 1 pending event.
   */
  replay(events: Iterable<TEvent>): this {
    for (const event of events) this.applyEvent(event);
    return this;
  }

  /**
   * The aggregate's state as a {@link Snapshot}: its JSON minus id and version, the version, and
   * the class's `snapshotSchemaVersion`. A fresh object each call; the aggregate is not touched.
   */
  toSnapshot(options: ToSnapshotOptions = {}): Snapshot {
    const statics = staticsOf(this);
    const {
      id: _id,
      version: _version,
      ...state
    } = (this as unknown as { toJSON(): Record<string, unknown> }).toJSON();
    return {
      aggregateType: statics.typeName,
      aggregateId: aggregateIdKey(this.id),
      version: this.version,
      state,
      schemaVersion: statics.snapshotSchemaVersion,
      createdAt: (options.clock ?? domainDefaults().clock).now().toISOString(),
    };
  }
}

/** Any event-sourced aggregate instance. */
export type AnyEventSourcedAggregate = EventSourcedAggregateRootBase<
  unknown,
  never,
  AnyDomainEvent
>;

type AnyEventSourcedConstructor = abstract new (...args: never) => AnyEventSourcedAggregate;

/** The class returned by {@link EventSourcedAggregateRoot}. */
export interface EventSourcedAggregateRootClass<
  TName extends string,
  TShape extends Shape,
  TEvents extends readonly AnyEventClass[],
  TId,
> {
  /**
   * A new aggregate with no history: the given (or a minted) id, version 0, and only the fields'
   * schema defaults. Its first recorded event sets the rest. Fields are not accepted here: state
   * comes from events only.
   */
  new (input?: {
    readonly id?: TId;
  }): EventSourcedAggregateRootBase<TId, InputOf<TShape>, EventOf<TEvents>> &
    Readonly<PropsOf<TShape>> & { toJSON(): Record<string, unknown> };
  /** The explicit, stable type name; also the stream category of its streams. */
  readonly typeName: TName;
  readonly shape: TShape;
  readonly propsSchema: z.ZodObject<TShape>;
  readonly idSchema: z.ZodType<TId>;
  /** The generator used when an instance is built without an id. */
  idGenerator: IdGenerator<TId> | undefined;
  /** The declared event classes. */
  readonly events: TEvents;
  /** Type name → class of the declared events (what a repository deserialises with). */
  readonly eventTypes: EventTypeMap<EventOf<TEvents>>;
  /** Version of the snapshot state's shape (default 1). */
  readonly snapshotSchemaVersion: number;
  /** Rebuilds an aggregate from its past events. */
  fromHistory<TSelf extends AnyEventSourcedConstructor>(
    this: TSelf,
    id: TId,
    events: Iterable<EventOf<TEvents>>,
  ): InstanceType<TSelf>;
  /**
   * Rebuilds an aggregate from a snapshot: the state is deep-copied and validated through the
   * schema (nested value objects come back as instances); the stored snapshot is never shared or
   * changed. Throws `ValidationError` for a snapshot of another type or an invalid state.
   */
  fromSnapshot<TSelf extends AnyEventSourcedConstructor>(
    this: TSelf,
    snapshot: Snapshot,
    id?: TId,
  ): InstanceType<TSelf>;
}

const ES_RESERVED = ['peekEvents', 'clearEvents', 'applyEvent', 'replay', 'toSnapshot', 'hashKey'];

/**
 * Defines an event-sourced aggregate root class from a zod shape, the event classes it records and
 * one apply handler per event. Command methods check rules and `record` events, exactly as on a
 * level-1 `AggregateRoot`; the handlers are the only place state changes.
 *
 * @example
 * class Account extends EventSourcedAggregateRoot('Account', {
 *   owner: z.string().default(''),
 *   balance: z.number().int().default(0),
 * }, {
 *   events: [AccountOpened, MoneyDeposited],
 *   apply: {
 *     AccountOpened: (_state, e) => ({ owner: e.owner }),
 *     MoneyDeposited: (state, e) => ({ balance: state.balance + e.amount }),
 *   },
 * }) {
 *   static open(owner: string): Account {
 *     const account = new Account();
 *     account.record(new AccountOpened({ owner }));
 *     return account;
 *   }
 *   deposit(amount: number): void {
 *     if (amount <= 0) throw new DomainError('amount must be positive');
 *     this.record(new MoneyDeposited({ amount }));
 *   }
 * }
 */
export function EventSourcedAggregateRoot<
  TName extends string,
  TShape extends Shape,
  const TEvents extends readonly AnyEventClass[],
  TId = string,
>(
  typeName: TName,
  shape: TShape,
  options: EventSourcedAggregateRootOptions<TShape, TEvents, TId>,
): EventSourcedAggregateRootClass<TName, TShape, TEvents, TId> {
  const eventTypes = new EventTypeMap(options.events);
  const handlers = collectHandlers(typeName, options.events, options.apply as object);

  abstract class PlainEventSourced extends EventSourcedAggregateRootBase<unknown> {}
  const entityOptions: EntityOptions<unknown> = {
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.idGenerator === undefined ? {} : { idGenerator: options.idGenerator }),
  };
  const Generated = defineEntityClass(
    PlainEventSourced,
    typeName,
    shape,
    entityOptions,
    ES_RESERVED,
  ) as unknown as abstract new (
    input: unknown,
  ) => EventSourcedAggregateRootBase<unknown>;

  abstract class EventSourcedAggregate extends Generated {
    static readonly events = options.events;
    static readonly eventTypes = eventTypes;
    static readonly [HANDLERS] = handlers;

    constructor(input?: unknown) {
      super(input instanceof Trusted ? input : new Trusted(blankProps(new.target, input)));
    }

    static fromHistory(
      this: new (
        input: unknown,
      ) => AnyEventSourcedAggregate,
      id: unknown,
      events: Iterable<AnyDomainEvent>,
    ): AnyEventSourcedAggregate {
      return new this({ id }).replay(events);
    }

    static fromSnapshot(
      this: new (
        input: unknown,
      ) => AnyEventSourcedAggregate,
      snapshot: Snapshot,
      id?: unknown,
    ): AnyEventSourcedAggregate {
      // biome-ignore lint/complexity/noThisInStatic: restores the subclass it is called on
      return restoreFromSnapshot(this, snapshot, id);
    }
  }

  return EventSourcedAggregate as unknown as EventSourcedAggregateRootClass<
    TName,
    TShape,
    TEvents,
    TId
  >;
}

function collectHandlers(
  typeName: string,
  events: readonly AnyEventClass[],
  apply: object,
): Map<string, Handler> {
  const handlers = new Map<string, Handler>();
  for (const cls of events) {
    const handler = (apply as Record<string, unknown>)[cls.typeName];
    if (typeof handler !== 'function') {
      throw ValidationError.of(
        typeName,
        `apply.${cls.typeName}`,
        `no apply handler for event ${cls.typeName}`,
      );
    }
    handlers.set(cls.typeName, handler as Handler);
  }
  for (const key of Object.keys(apply)) {
    if (!handlers.has(key)) {
      throw ValidationError.of(
        typeName,
        `apply.${key}`,
        `"${key}" is not one of the declared events`,
      );
    }
  }
  return handlers;
}

/** Id, version 0 and the schema defaults: the state of an aggregate before its first event. */
function blankProps(ctor: unknown, input: unknown): Record<string, unknown> {
  const statics = ctor as EventSourcedStatics;
  const raw = input === undefined ? {} : input;
  if (typeof raw !== 'object' || raw === null) {
    throw ValidationError.of(statics.typeName, '', 'expected { id } or nothing');
  }
  for (const key of Object.keys(raw)) {
    if (key !== 'id') {
      throw new StateChangeOutsideEventError(
        statics.typeName,
        `the constructor takes only { id }, not "${key}"`,
      );
    }
  }
  const props: Record<string, unknown> = {
    id: Object.hasOwn(raw, 'id')
      ? parseField(statics.idSchema, (raw as { id: unknown }).id, statics.typeName, 'id')
      : generateId(statics),
    version: 0,
  };
  for (const [key, schema] of Object.entries(statics.shape)) {
    const result = (schema as z.ZodType).safeParse(undefined);
    if (result.success && result.data !== undefined) props[key] = result.data;
  }
  return props;
}

function generateId(statics: EventSourcedStatics): unknown {
  const generator = statics.idGenerator ?? domainDefaults().idGenerator;
  const id = generator.generate();
  const checked = statics.idSchema.safeParse(id);
  if (!checked.success) {
    throw new IdGenerationError(
      `${generator.constructor?.name ?? 'IdGenerator'} produced an invalid id for ${statics.typeName}: ${checked.error.issues[0]?.message ?? 'invalid'}. Pass an explicit id or set ${statics.typeName}.idGenerator.`,
    );
  }
  return checked.data;
}

function parseField(schema: z.ZodType, value: unknown, typeName: string, field?: string): unknown {
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(typeName, result.error, field);
  return result.data;
}

/**
 * @internal Rebuilds an aggregate of class `Cls` from `snapshot`, validating a deep copy of its
 * state. `id` overrides the snapshot's string id (for non-string ids).
 */
export function restoreFromSnapshot<TAggregate extends AnyEventSourcedAggregate>(
  Cls: new (input: unknown) => TAggregate,
  snapshot: Snapshot,
  id?: unknown,
): TAggregate {
  const statics = Cls as unknown as EventSourcedStatics;
  if (snapshot.aggregateType !== statics.typeName) {
    throw ValidationError.of(
      statics.typeName,
      'aggregateType',
      `snapshot is of type ${snapshot.aggregateType}, not ${statics.typeName}`,
    );
  }
  if (!Number.isInteger(snapshot.version) || snapshot.version < 0) {
    throw ValidationError.of(
      statics.typeName,
      'version',
      'snapshot version must be a non-negative integer',
    );
  }
  const state = parseField(
    statics.propsSchema,
    structuredClone(snapshot.state),
    statics.typeName,
  ) as Record<string, unknown>;
  const aggregateId =
    id === undefined
      ? parseField(statics.idSchema, snapshot.aggregateId, statics.typeName, 'id')
      : id;
  return new Cls(new Trusted({ ...state, id: aggregateId, version: snapshot.version }));
}
