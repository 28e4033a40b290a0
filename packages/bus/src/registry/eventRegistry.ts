import type { AnyCommand, CommandJSON } from '@pd/cqrs';
import {
  type AnyDomainEvent,
  type DomainEventJSON,
  type UpcastHook,
  ValidationError,
} from '@pd/ddd';
import { z } from 'zod';
import { DuplicateTypeNameError, UnknownTypeNameError } from '../errors/busErrors.js';
import { type BusLogger, ConsoleBusLogger } from '../logging/logger.js';
import { GenericDomainEvent } from './genericDomainEvent.js';

/** An event class an {@link EventRegistry} can hold: explicit type name, schema version, JSON Schema. */
export type RegistrableEventClass = (abstract new (
  ...args: never[]
) => AnyDomainEvent) & {
  readonly typeName: string;
  readonly schemaVersion: number;
  jsonSchema(): Record<string, unknown>;
};

/** A command class an {@link EventRegistry} can hold (for catalogs and inbound commands). */
export type RegistrableCommandClass = (abstract new (
  ...args: never[]
) => AnyCommand) & {
  readonly typeName: string;
  jsonSchema(): Record<string, unknown>;
};

/** One event type in a {@link MessageCatalog}. */
export interface EventCatalogEntry {
  readonly typeName: string;
  readonly schemaVersion: number;
  /** JSON Schema of the payload. */
  readonly schema: Record<string, unknown>;
}

/** One command type in a {@link MessageCatalog}. */
export interface CommandCatalogEntry {
  readonly typeName: string;
  /** JSON Schema of the payload. */
  readonly schema: Record<string, unknown>;
}

/** Every registered message type with its payload's JSON Schema, sorted by type name. */
export interface MessageCatalog {
  readonly events: readonly EventCatalogEntry[];
  readonly commands: readonly CommandCatalogEntry[];
}

/** Options of {@link EventRegistry}. */
export interface EventRegistryOptions {
  /** Applied to every event JSON before it is rebuilt (from `@pd/advanced`'s upcaster registry). */
  readonly upcaster?: UpcastHook;
  /** Told when an unknown event type is read (as a warning). Default: a {@link ConsoleBusLogger}. */
  readonly logger?: BusLogger;
}

const envelopeSchema = z.object({
  type: z.string().min(1),
  schemaVersion: z.number().int().positive().default(1),
  eventId: z.string().min(1),
  occurredAt: z.string().min(1),
  correlationId: z.string().min(1).nullable().default(null),
  causationId: z.string().min(1).nullable().default(null),
  payload: z.record(z.string(), z.unknown()).default({}),
});

const commandEnvelopeSchema = z.object({ type: z.string().min(1) }).loose();

/**
 * The map between explicit type names and message classes, and the one place events are turned
 * into JSON and back. Type names are the classes' static `typeName` (never `constructor.name`,
 * which minifiers rewrite); two classes may not share one.
 *
 * Reading an event: the envelope is validated, the upcaster (if any) runs first, then the
 * registered class rebuilds and validates the payload. An unknown type becomes a
 * {@link GenericDomainEvent} that can still be dispatched, stored and written back.
 *
 * @example
 * const registry = new EventRegistry({ upcaster }).registerEvent(OrderPlaced).registerCommand(PlaceOrder);
 * const json = registry.serialize(event);
 * const again = registry.deserialize(json); // an OrderPlaced, equal to event
 * registry.catalog(); // JSON Schemas for docs and contract tests
 */
export class EventRegistry {
  readonly #events = new Map<string, RegistrableEventClass>();
  readonly #commands = new Map<string, RegistrableCommandClass>();
  readonly #upcaster: UpcastHook | undefined;
  readonly #logger: BusLogger;

  constructor(options: EventRegistryOptions = {}) {
    this.#upcaster = options.upcaster;
    this.#logger = options.logger ?? new ConsoleBusLogger();
  }

  /**
   * Registers event classes by their `typeName`. Registering the same class again is a no-op; a
   * different class with a taken name throws {@link DuplicateTypeNameError}.
   */
  registerEvent(...eventClasses: readonly RegistrableEventClass[]): this {
    for (const cls of eventClasses) add(this.#events, 'event', cls);
    return this;
  }

  /** Registers command classes by their `typeName` (same rules as {@link registerEvent}). */
  registerCommand(...commandClasses: readonly RegistrableCommandClass[]): this {
    for (const cls of commandClasses) add(this.#commands, 'command', cls);
    return this;
  }

  /** The event class registered as `typeName`, or `undefined`. */
  eventClass(typeName: string): RegistrableEventClass | undefined {
    return this.#events.get(typeName);
  }

  /** The command class registered as `typeName`, or `undefined`. */
  commandClass(typeName: string): RegistrableCommandClass | undefined {
    return this.#commands.get(typeName);
  }

  /** Registered event type names, sorted. */
  eventTypes(): readonly string[] {
    return [...this.#events.keys()].sort();
  }

  /** Registered command type names, sorted. */
  commandTypes(): readonly string[] {
    return [...this.#commands.keys()].sort();
  }

  /** The JSON form of `event` (works for unregistered and generic events too). */
  serialize(event: AnyDomainEvent): DomainEventJSON {
    return event.toJSON();
  }

  /**
   * Rebuilds an event from its JSON form. Throws `ValidationError` for a malformed envelope or a
   * payload the registered class rejects (after upcasting); returns a {@link GenericDomainEvent}
   * for an unknown type.
   */
  deserialize(json: unknown): AnyDomainEvent {
    const parsed = envelopeSchema.safeParse(json);
    if (!parsed.success) throw ValidationError.fromZod('DomainEventJSON', parsed.error);
    const envelope: DomainEventJSON = parsed.data;
    const current = this.#upcaster ? this.#upcaster.upcast(envelope) : envelope;
    const cls = this.#events.get(current.type);
    if (cls !== undefined) return fromJSON<AnyDomainEvent>(cls, current);
    this.#logger.warn('pd: unknown event type read as GenericDomainEvent', {
      type: current.type,
      eventId: current.eventId,
    });
    return new GenericDomainEvent(current.type, current.payload, {
      eventId: current.eventId,
      occurredAt: current.occurredAt,
      schemaVersion: current.schemaVersion,
      correlationId: current.correlationId,
      causationId: current.causationId,
    });
  }

  /** The JSON form of `command`. */
  serializeCommand(command: AnyCommand): CommandJSON {
    return command.toJSON();
  }

  /**
   * Rebuilds a command from its JSON form. Commands must be understood to be executed, so an
   * unknown type throws {@link UnknownTypeNameError} (there is no generic command).
   */
  deserializeCommand(json: unknown): AnyCommand {
    const parsed = commandEnvelopeSchema.safeParse(json);
    if (!parsed.success) throw ValidationError.fromZod('CommandJSON', parsed.error);
    const cls = this.#commands.get(parsed.data.type);
    if (cls === undefined) throw new UnknownTypeNameError('command', parsed.data.type);
    return fromJSON<AnyCommand>(cls, json);
  }

  /** JSON Schema of every registered event and command payload, sorted by type name. */
  catalog(): MessageCatalog {
    return {
      events: this.eventTypes().map((typeName) => {
        const cls = this.#events.get(typeName) as RegistrableEventClass;
        return { typeName, schemaVersion: cls.schemaVersion, schema: cls.jsonSchema() };
      }),
      commands: this.commandTypes().map((typeName) => {
        const cls = this.#commands.get(typeName) as RegistrableCommandClass;
        return { typeName, schema: cls.jsonSchema() };
      }),
    };
  }
}

function add<TClass extends { readonly typeName: string }>(
  map: Map<string, TClass>,
  kind: 'event' | 'command',
  cls: TClass,
): void {
  const typeName = typeof cls === 'function' ? (cls as { typeName?: unknown }).typeName : undefined;
  if (typeof typeName !== 'string' || typeName === '') {
    throw ValidationError.of(
      'EventRegistry',
      'messageClass',
      `expected a ${kind} class with a static typeName`,
    );
  }
  if (typeof (cls as { fromJSON?: unknown }).fromJSON !== 'function') {
    throw ValidationError.of('EventRegistry', 'messageClass', `${typeName} has no static fromJSON`);
  }
  const existing = map.get(typeName);
  if (existing === cls) return;
  if (existing !== undefined) throw new DuplicateTypeNameError(kind, typeName);
  map.set(typeName, cls);
}

function fromJSON<T>(cls: unknown, json: unknown): T {
  return (cls as { fromJSON(json: unknown): T }).fromJSON(json);
}
