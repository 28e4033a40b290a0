import type { AnyDomainEvent, DomainEventJSON, UpcastHook } from '@pd/ddd';
import { UnknownEventTypeError } from '../errors/eventSourcingErrors.js';
import { type AnyEventClass, EventTypeMap } from './eventTypeMap.js';

/** Options of {@link EventSerializer}. */
export interface EventSerializerOptions {
  /** Turns stored events of older schema versions into the current one, before validation. */
  readonly upcaster?: UpcastHook;
  /** Names the reader in {@link UnknownEventTypeError} messages (default `'EventSerializer'`). */
  readonly reader?: string;
}

/**
 * Turns domain events into their JSON form and stored JSON back into event class instances.
 * Reading runs the upcaster first, then looks the (possibly renamed) type up and validates the
 * payload once, so every reader sees current-version, schema-checked events.
 *
 * @example
 * const serializer = new EventSerializer(EventTypeMap.of(OrderPlaced, OrderPaid), { upcaster });
 * const event = serializer.deserialize(storedEvent); // OrderPlaced | OrderPaid
 * // new EventSerializer([OrderPlaced, OrderPaid]) works too, typed as AnyDomainEvent
 */
export class EventSerializer<TEvent extends AnyDomainEvent = AnyDomainEvent> {
  readonly types: EventTypeMap<TEvent>;
  readonly #upcaster: UpcastHook | undefined;
  readonly #reader: string;

  constructor(
    types: EventTypeMap<TEvent> | Iterable<AnyEventClass>,
    options: EventSerializerOptions = {},
  ) {
    this.types =
      types instanceof EventTypeMap ? types : (new EventTypeMap(types) as EventTypeMap<TEvent>);
    this.#upcaster = options.upcaster;
    this.#reader = options.reader ?? 'EventSerializer';
  }

  /** The JSON form of an event (what a store appends). */
  serialize(event: AnyDomainEvent): DomainEventJSON {
    return event.toJSON();
  }

  /** Applies the upcaster (identity when none is configured). */
  upcast(json: DomainEventJSON): DomainEventJSON {
    return this.#upcaster === undefined ? json : this.#upcaster.upcast(json);
  }

  /**
   * Upcasts and rebuilds an event. Throws {@link UnknownEventTypeError} for an unregistered type and
   * `ValidationError` for a payload that does not fit the current schema.
   */
  deserialize(json: DomainEventJSON): TEvent {
    const current = this.upcast(json);
    const event = this.types.fromJSON(current);
    if (event === undefined) throw new UnknownEventTypeError(current.type, this.#reader);
    return event;
  }

  /** Like {@link deserialize}, but returns `undefined` for an unregistered type (projections skip those). */
  tryDeserialize(json: DomainEventJSON): TEvent | undefined {
    return this.types.fromJSON(this.upcast(json));
  }
}
