import { DomainEventBase, domainDefaults, type EventMetadataInput, ValidationError } from '@pd/ddd';
import { z } from 'zod';

const metadataSchema = z.object({
  eventId: z.string().min(1).optional(),
  occurredAt: z.coerce.date().optional(),
  schemaVersion: z.number().int().positive().optional(),
  correlationId: z.string().min(1).nullable().optional(),
  causationId: z.string().min(1).nullable().optional(),
});

const dataSchema = z.record(z.string(), z.unknown());

/**
 * A domain event whose type no registered class carries (a newer producer, a retired type). It is
 * a real {@link DomainEventBase}: `eventType` is the unknown type name, `data` the raw payload,
 * and the metadata is kept, so it can still be published on a `MessageBus` (handlers subscribe by
 * type name with `bus.onType('Foo', h)`), stored, relayed and serialised back unchanged.
 *
 * @example
 * const event = registry.deserialize(json); // GenericDomainEvent when json.type is unknown
 * if (event instanceof GenericDomainEvent) log.warn('unknown event', { type: event.eventType });
 */
export class GenericDomainEvent extends DomainEventBase<Record<string, unknown>> {
  readonly #eventType: string;
  /** The payload exactly as received (frozen). */
  readonly data: Readonly<Record<string, unknown>>;

  constructor(
    eventType: string,
    data: Readonly<Record<string, unknown>>,
    metadata: EventMetadataInput = {},
  ) {
    super();
    if (typeof eventType !== 'string' || eventType === '' || eventType.trim() !== eventType) {
      throw ValidationError.of(
        'GenericDomainEvent',
        'type',
        'an event type name must be a non-empty string',
      );
    }
    const payload = dataSchema.safeParse(data);
    if (!payload.success)
      throw ValidationError.fromZod('GenericDomainEvent', payload.error, 'payload');
    const meta = metadataSchema.safeParse(metadata);
    if (!meta.success) throw ValidationError.fromZod('GenericDomainEvent', meta.error);
    this.#eventType = eventType;
    this.data = deepFrozenCopy(payload.data);
    const defaults = domainDefaults();
    Object.assign(this, {
      eventId: meta.data.eventId ?? defaults.idGenerator.generate(),
      occurredAt: meta.data.occurredAt ?? defaults.clock.now(),
      schemaVersion: meta.data.schemaVersion ?? 1,
      correlationId: meta.data.correlationId ?? null,
      causationId: meta.data.causationId ?? null,
    });
    Object.freeze(this);
  }

  /** The unknown type name this event was read with. */
  override get eventType(): string {
    return this.#eventType;
  }

  override payload(): Record<string, unknown> {
    return structuredClone(this.data) as Record<string, unknown>;
  }

  override stamp(ids: { correlationId: string | null; causationId: string | null }): this {
    return new GenericDomainEvent(this.#eventType, this.data, {
      ...this.metadata(),
      ...ids,
    }) as this;
  }
}

function deepFrozenCopy(value: Record<string, unknown>): Readonly<Record<string, unknown>> {
  const copy = structuredClone(value);
  const freeze = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
    for (const child of Object.values(v)) freeze(child);
    Object.freeze(v);
  };
  freeze(copy);
  return copy;
}
