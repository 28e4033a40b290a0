import { type AnyDomainEvent, type EventMetadataInput, ValidationError } from '@pd/ddd';

/**
 * Any domain event class (built with `DomainEvent(...)`): constructible, with an explicit type
 * name. `TEvent` is the instance type.
 */
export interface AnyEventClass<TEvent extends AnyDomainEvent = AnyDomainEvent> {
  new (payload: never, metadata?: EventMetadataInput): TEvent;
  readonly typeName: string;
  readonly schemaVersion: number;
}

/** The union of the instance types of a list of event classes. */
export type EventOf<TClasses extends readonly AnyEventClass[]> = InstanceType<TClasses[number]>;

interface FromJson<TEvent> {
  fromJSON(json: unknown): TEvent;
}

/**
 * Type name → event class, built from the classes themselves (never from class names, which
 * minifiers rename). Two different classes with one type name are rejected when the map is built.
 *
 * @example
 * const types = EventTypeMap.of(OrderPlaced, OrderPaid);
 * types.get('OrderPlaced'); // OrderPlaced
 */
export class EventTypeMap<TEvent extends AnyDomainEvent = AnyDomainEvent> {
  readonly #classes = new Map<string, AnyEventClass<TEvent>>();

  constructor(classes: Iterable<AnyEventClass<TEvent>>) {
    for (const cls of classes) {
      const existing = this.#classes.get(cls.typeName);
      if (existing !== undefined && existing !== cls) {
        throw ValidationError.of(
          'EventTypeMap',
          cls.typeName,
          `two different event classes share the type name "${cls.typeName}"`,
        );
      }
      this.#classes.set(cls.typeName, cls);
    }
  }

  /** Builds a map from event classes, typed with the union of their instances. */
  static of<const TClasses extends readonly AnyEventClass[]>(
    ...classes: TClasses
  ): EventTypeMap<EventOf<TClasses>> {
    return new EventTypeMap<EventOf<TClasses>>(
      classes as unknown as readonly AnyEventClass<EventOf<TClasses>>[],
    );
  }

  /** The class registered for `typeName`, or `undefined`. */
  get(typeName: string): AnyEventClass<TEvent> | undefined {
    return this.#classes.get(typeName);
  }

  has(typeName: string): boolean {
    return this.#classes.has(typeName);
  }

  /** The registered type names, in registration order (use them as subscription filters). */
  get typeNames(): readonly string[] {
    return [...this.#classes.keys()];
  }

  /**
   * Rebuilds an event of a registered type from its JSON (validating payload and metadata), or
   * returns `undefined` when the type is not registered.
   */
  fromJSON(json: { readonly type: string }): TEvent | undefined {
    const cls = this.#classes.get(json.type);
    return cls === undefined ? undefined : (cls as unknown as FromJson<TEvent>).fromJSON(json);
  }
}
