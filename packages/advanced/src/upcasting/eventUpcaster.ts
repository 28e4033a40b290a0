import type { DomainEventJSON } from '@pd/ddd';
import { UpcasterRegistrationError } from './upcastError.js';

/** A JSON payload as stored: the `payload` of a {@link DomainEventJSON}. */
export type EventPayload = Record<string, unknown>;

/**
 * The envelope of the event being upcast, without its payload: ids, timestamps, tracing ids and
 * the `schemaVersion` the step reads. Read-only context for a step.
 */
export type EventEnvelope = Readonly<Omit<DomainEventJSON, 'payload'>>;

/**
 * One migration step of one event type: turns the payload of schema version `from` into the
 * payload of version `to` (`to > from`). Steps chain (1→2, 2→3, …) inside an
 * {@link UpcasterRegistry}, which also sets the envelope's `schemaVersion`: a step only ever
 * touches the payload, so the envelope and the payload can never disagree about the version.
 *
 * Build one with {@link defineUpcaster}, or write a class with these members.
 */
export interface EventUpcaster<
  TFrom extends object = EventPayload,
  TTo extends object = EventPayload,
> {
  /** The event type name (the `type` of the stored JSON). */
  readonly type: string;
  /** Schema version this step reads. */
  readonly from: number;
  /** Schema version this step produces; greater than `from`. */
  readonly to: number;
  /**
   * The transformation. It receives a private copy of the payload (mutating it is harmless) and
   * the event's envelope (read-only, for ids and timestamps). Whatever it
   * throws reaches callers as an `UpcastError` naming the type and both versions.
   */
  upcast(payload: TFrom, event: EventEnvelope): TTo;
}

/**
 * Any upcaster, whatever its payload types: what {@link UpcasterRegistry} accepts.
 * (`never` in the input position lets every typed upcaster fit.)
 */
export type AnyEventUpcaster = EventUpcaster<never, object>;

/** What {@link defineUpcaster} takes. */
export interface UpcasterDefinition<TFrom extends object, TTo extends object> {
  /** The event type name, or the event class (its `typeName` is used). */
  readonly type: string | { readonly typeName: string };
  readonly from: number;
  readonly to: number;
  upcast(payload: TFrom, event: EventEnvelope): TTo;
}

/**
 * Defines one upcasting step, validated at once (`type` non-empty, versions positive integers,
 * `to > from`); the payload types are checked by the compiler.
 *
 * @example
 * // v1 had `amount` in cents; v2 names it `total` and adds a currency.
 * const orderPlacedV1toV2 = defineUpcaster({
 *   type: 'OrderPlaced', from: 1, to: 2,
 *   upcast: (p: { amount: number }) => ({ total: p.amount, currency: 'EUR' }),
 * });
 */
export function defineUpcaster<
  TFrom extends object = EventPayload,
  TTo extends object = EventPayload,
>(definition: UpcasterDefinition<TFrom, TTo>): EventUpcaster<TFrom, TTo> {
  const type = typeof definition.type === 'string' ? definition.type : definition.type?.typeName;
  const upcaster: EventUpcaster<TFrom, TTo> = {
    type,
    from: definition.from,
    to: definition.to,
    upcast: definition.upcast,
  };
  assertValidUpcaster(upcaster);
  return Object.freeze(upcaster);
}

/** Throws {@link UpcasterRegistrationError} unless `upcaster` is well formed and moves forward. */
export function assertValidUpcaster(upcaster: AnyEventUpcaster): void {
  const { type, from, to } = upcaster as { type: unknown; from: unknown; to: unknown };
  const label = typeof type === 'string' ? type : String(type);
  const invalid = (message: string) =>
    new UpcasterRegistrationError({ reason: 'invalid', eventType: label, message });
  if (typeof type !== 'string' || type.length === 0)
    throw invalid('An upcaster needs a non-empty event type name');
  if (!isVersion(from))
    throw invalid(`Upcaster for ${type}: "from" must be a positive integer, got ${String(from)}`);
  if (!isVersion(to))
    throw invalid(`Upcaster for ${type}: "to" must be a positive integer, got ${String(to)}`);
  if (typeof upcaster.upcast !== 'function')
    throw invalid(`Upcaster for ${type} v${from}: "upcast" must be a function`);
  if (to <= from) {
    throw new UpcasterRegistrationError({
      reason: 'not-forward',
      eventType: type,
      fromVersion: from,
      toVersion: to,
      message: `Upcaster for ${type} goes from v${from} to v${to}: a step must raise the version (to > from), otherwise chains could cycle`,
    });
  }
}

function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}
