import { type AnyDomainEvent, type UpcastHook, ValidationError } from '@pd/ddd';
import { EventSerializer } from '../serialization/eventSerializer.js';
import { type AnyEventClass, type EventOf, EventTypeMap } from '../serialization/eventTypeMap.js';
import type { StoredEvent } from '../store/eventStore.js';

/**
 * One handler per declared event class, keyed by the class's `typeName`: receives the typed event
 * and the stored record (stream, positions, metadata). A missing or extra key is a compile error.
 */
export type ProjectionHandlers<TEvents extends readonly AnyEventClass[]> = {
  readonly [TClass in TEvents[number] as TClass['typeName']]: (
    event: InstanceType<TClass>,
    stored: StoredEvent,
  ) => void | Promise<void>;
};

/** Options of {@link EventSourcedProjection}. */
export interface EventSourcedProjectionOptions<TEvents extends readonly AnyEventClass[]> {
  /** The event classes this projection handles; stored events of other types are skipped. */
  readonly events: TEvents;
  /** Version of the projection's logic; bump it to signal that a rebuild is needed (default 1). */
  readonly version?: number;
}

/** Options of a projection instance. */
export interface ProjectionInstanceOptions {
  /** Upgrades stored events of older schema versions before they are validated and handled. */
  readonly upcaster?: UpcastHook;
}

/**
 * Base class of every event-sourced projection. Build subclasses with {@link EventSourcedProjection}.
 * Its {@link checkpoint} is the global position of the last stored event it applied, so a
 * subscription can save it and resume from it.
 */
export abstract class EventSourcedProjectionBase<TEvent extends AnyDomainEvent = AnyDomainEvent> {
  #checkpoint = 0;
  readonly #serializer: EventSerializer<TEvent>;

  constructor(types: EventTypeMap<TEvent>, options: ProjectionInstanceOptions = {}) {
    this.#serializer = new EventSerializer(types, {
      reader: 'projection',
      ...(options.upcaster === undefined ? {} : { upcaster: options.upcaster }),
    });
  }

  /** The projection's stable name (its subscription and checkpoint id). */
  abstract readonly name: string;

  /** The handlers, usually `protected readonly handlers = this.on({ ... })`. */
  protected abstract readonly handlers: Readonly<
    Record<string, (event: never, stored: StoredEvent) => void | Promise<void>>
  >;

  /** Clears the projection's own state; called by {@link rebuild} before replaying. */
  protected abstract reset(): void | Promise<void>;

  /** Global position of the last applied stored event; 0 before any. */
  get checkpoint(): number {
    return this.#checkpoint;
  }

  /** The type names this projection handles (pass them as `readAll({ eventTypes })`). */
  get handledTypes(): readonly string[] {
    return this.#serializer.types.typeNames;
  }

  /**
   * Applies one stored event: upcasts, validates and hands it to its handler (types without a
   * handler are skipped), then advances the checkpoint to its global position. An event at or
   * below the checkpoint was already applied and is skipped, so redelivery is harmless. If the
   * handler throws, the checkpoint does not move.
   */
  async apply(stored: StoredEvent): Promise<void> {
    if (stored.globalPosition <= this.#checkpoint) return;
    const event = this.#serializer.tryDeserialize(stored);
    if (event !== undefined) {
      const handler = this.handlers[event.eventType] as
        | ((event: TEvent, stored: StoredEvent) => void | Promise<void>)
        | undefined;
      await handler?.(event, stored);
    }
    this.#checkpoint = stored.globalPosition;
  }

  /** Resets the state ({@link reset}) and the checkpoint, then applies `events` in order. */
  async rebuild(events: Iterable<StoredEvent> | AsyncIterable<StoredEvent>): Promise<void> {
    await this.reset();
    this.#checkpoint = 0;
    for await (const stored of events) await this.apply(stored);
  }

  /** Sets the checkpoint to a saved position (when resuming a subscription). */
  restoreCheckpoint(position: number): void {
    if (!Number.isSafeInteger(position) || position < 0) {
      throw ValidationError.of(
        this.name,
        'checkpoint',
        'checkpoint must be a non-negative integer',
      );
    }
    this.#checkpoint = position;
  }
}

/** The class returned by {@link EventSourcedProjection}. */
export interface EventSourcedProjectionClass<TEvents extends readonly AnyEventClass[]> {
  new (
    options?: ProjectionInstanceOptions,
  ): EventSourcedProjectionBase<EventOf<TEvents>> & {
    /** Identity helper that types (and checks the exhaustiveness of) the handler table. */
    on(handlers: ProjectionHandlers<TEvents>): ProjectionHandlers<TEvents>;
    /** The version of the projection's logic. */
    readonly version: number;
  };
  readonly events: TEvents;
  readonly eventTypes: EventTypeMap<EventOf<TEvents>>;
  readonly version: number;
}

/**
 * Defines a projection base class over the given event classes. The subclass names itself, keeps
 * its read model, gives one handler per event with `this.on({ ... })` (a missing handler is a
 * compile error), and clears its state in `reset()`.
 *
 * @example
 * class OrderTotals extends EventSourcedProjection({ events: [OrderPlaced, OrderCancelled] }) {
 *   readonly name = 'order-totals';
 *   readonly totals = new Map<string, number>();
 *   protected readonly handlers = this.on({
 *     OrderPlaced: (e) => { this.totals.set(e.orderId, e.total) },
 *     OrderCancelled: (e) => { this.totals.delete(e.orderId) },
 *   });
 *   protected reset() { this.totals.clear() }
 * }
 */
export function EventSourcedProjection<const TEvents extends readonly AnyEventClass[]>(
  options: EventSourcedProjectionOptions<TEvents>,
): EventSourcedProjectionClass<TEvents> {
  const eventTypes = new EventTypeMap(options.events) as EventTypeMap<EventOf<TEvents>>;
  const version = options.version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw ValidationError.of(
      'EventSourcedProjection',
      'version',
      'version must be a positive integer',
    );
  }

  abstract class Projection extends EventSourcedProjectionBase<EventOf<TEvents>> {
    static readonly events = options.events;
    static readonly eventTypes = eventTypes;
    static readonly version = version;
    readonly version = version;

    constructor(instanceOptions: ProjectionInstanceOptions = {}) {
      super(eventTypes, instanceOptions);
    }

    on(handlers: ProjectionHandlers<TEvents>): ProjectionHandlers<TEvents> {
      return handlers;
    }
  }

  return Projection as unknown as EventSourcedProjectionClass<TEvents>;
}
