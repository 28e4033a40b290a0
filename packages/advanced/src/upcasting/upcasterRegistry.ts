import type { DomainEventJSON, UpcastHook } from '@pd/ddd';
import {
  type AnyEventUpcaster,
  assertValidUpcaster,
  type EventEnvelope,
  type EventPayload,
} from './eventUpcaster.js';
import { UpcastError, UpcasterRegistrationError } from './upcastError.js';

/** An event class as far as the registry cares: its type name and current schema version. */
export interface VersionedEventType {
  readonly typeName: string;
  readonly schemaVersion: number;
}

/** Options of {@link UpcasterRegistry}. */
export interface UpcasterRegistryOptions {
  /** Steps to register at once (same rules as {@link UpcasterRegistry.register}). */
  readonly upcasters?: Iterable<AnyEventUpcaster>;
  /**
   * Event classes whose `schemaVersion` is the current version of their type: chains of these
   * types are checked for gaps (see {@link UpcasterRegistry.validate}).
   */
  readonly events?: Iterable<VersionedEventType>;
}

interface CurrentVersion {
  readonly version: number;
  readonly oldestVersion: number;
}

/**
 * Brings stored events of older schema versions to the current one, step by step, so that every
 * reader (repository, projection, subscription, event registry) sees only current-version events,
 * whatever store they come from. It is the `UpcastHook` those readers take as their `upcaster`
 * option.
 *
 * Chains are checked: a step must raise the version (`to > from`, so no cycle can exist), a
 * second step for the same (type, from) is refused instead of silently replacing the first, and
 * for types whose current version is declared, every chain must end exactly at it (no gap, no
 * overshoot). The result's envelope `schemaVersion` is the version the last step produced. The
 * input event is never mutated; when no step applies it is returned as is.
 *
 * @example
 * const upcasters = new UpcasterRegistry({
 *   upcasters: [orderPlacedV1toV2, orderPlacedV2toV3],
 *   events: [OrderPlaced], // OrderPlaced.schemaVersion === 3
 * });
 * upcasters.validate(); // at start-up: throws UpcasterRegistrationError on a gap
 * const repository = new EventSourcedRepository(Order, { eventStore, upcaster: upcasters });
 */
export class UpcasterRegistry implements UpcastHook {
  readonly #steps = new Map<string, Map<number, AnyEventUpcaster>>();
  readonly #current = new Map<string, CurrentVersion>();
  #validated = true;

  constructor(options: UpcasterRegistryOptions = {}) {
    if (options.events !== undefined) this.declareEvents(...options.events);
    if (options.upcasters !== undefined) this.register(...options.upcasters);
  }

  /**
   * Adds steps. Throws {@link UpcasterRegistrationError} for a malformed step (`'invalid'`), a
   * step that does not raise the version (`'not-forward'`), a second step for one (type, from)
   * (`'duplicate'`), or a target past the type's declared current version (`'beyond-current'`).
   */
  register(...upcasters: readonly AnyEventUpcaster[]): this {
    for (const upcaster of upcasters) {
      assertValidUpcaster(upcaster);
      const byVersion = this.#steps.get(upcaster.type) ?? new Map<number, AnyEventUpcaster>();
      const existing = byVersion.get(upcaster.from);
      if (existing !== undefined) {
        if (existing === upcaster) continue;
        throw new UpcasterRegistrationError({
          reason: 'duplicate',
          eventType: upcaster.type,
          fromVersion: upcaster.from,
          toVersion: upcaster.to,
          message: `An upcaster for ${upcaster.type} from v${upcaster.from} is already registered (to v${existing.to}); refusing to replace it`,
        });
      }
      this.#assertWithinCurrent(upcaster);
      byVersion.set(upcaster.from, upcaster);
      this.#steps.set(upcaster.type, byVersion);
      this.#validated = false;
    }
    return this;
  }

  /**
   * Declares the current schema version of `type` (what its event class constructs today), so
   * that its chains can be checked for gaps. `oldestVersion` (default 1) is the oldest version
   * that may be stored: it must be able to reach `version`.
   */
  declareCurrent(
    type: string,
    version: number,
    options: { readonly oldestVersion?: number } = {},
  ): this {
    const oldestVersion = options.oldestVersion ?? 1;
    if (
      typeof type !== 'string' ||
      type.length === 0 ||
      !isVersion(version) ||
      !isVersion(oldestVersion)
    ) {
      throw new UpcasterRegistrationError({
        reason: 'invalid',
        eventType: String(type),
        message: `Current version of ${String(type)} must be a positive integer (and so must its oldest version), got ${String(version)}`,
      });
    }
    const existing = this.#current.get(type);
    if (existing !== undefined && existing.version !== version) {
      throw new UpcasterRegistrationError({
        reason: 'duplicate',
        eventType: type,
        message: `The current version of ${type} is already declared as v${existing.version}; cannot redeclare it as v${version}`,
      });
    }
    this.#current.set(type, { version, oldestVersion });
    for (const step of this.#steps.get(type)?.values() ?? []) this.#assertWithinCurrent(step);
    this.#validated = false;
    return this;
  }

  /** Declares the current version of each class (its `typeName` at its `schemaVersion`). */
  declareEvents(...events: readonly VersionedEventType[]): this {
    for (const event of events) this.declareCurrent(event.typeName, event.schemaVersion);
    return this;
  }

  /** The declared current version of `type`, if any. */
  currentVersion(type: string): number | undefined {
    return this.#current.get(type)?.version;
  }

  /** True when at least one step is registered for `type`. */
  has(type: string): boolean {
    return (this.#steps.get(type)?.size ?? 0) > 0;
  }

  /**
   * The steps that apply, in order, to an event of `type` at `fromVersion`: from its version,
   * each step's `to` is the next `from`, until no step is registered. `[]` when none applies.
   */
  resolve(type: string, fromVersion: number): readonly AnyEventUpcaster[] {
    const byVersion = this.#steps.get(type);
    if (byVersion === undefined) return [];
    const chain: AnyEventUpcaster[] = [];
    let version = fromVersion;
    // Every step raises the version, so this walk always terminates.
    for (let step = byVersion.get(version); step !== undefined; step = byVersion.get(version)) {
      chain.push(step);
      version = step.to;
    }
    return chain;
  }

  /**
   * Checks every type with a declared current version: from its oldest version and from the
   * start of every registered step, the chain must end exactly at the current version. Throws
   * {@link UpcasterRegistrationError} (`'gap'`) otherwise. Runs by itself before the first
   * upcast after a change; call it at start-up to fail early.
   */
  validate(): void {
    for (const [type, current] of this.#current) {
      const starts = new Set<number>([current.oldestVersion]);
      for (const from of this.#steps.get(type)?.keys() ?? []) starts.add(from);
      for (const start of [...starts].sort((a, b) => a - b)) {
        if (start >= current.version) continue;
        const end = this.#chainEnd(type, start);
        if (end !== current.version) {
          throw new UpcasterRegistrationError({
            reason: 'gap',
            eventType: type,
            fromVersion: start,
            toVersion: current.version,
            message: `Events of ${type} at v${start} cannot reach the current v${current.version}: the chain stops at v${end} (no upcaster from v${end})`,
          });
        }
      }
    }
    this.#validated = true;
  }

  /**
   * Upcasts one stored event (or any object extending its JSON form, such as a `StoredEvent`,
   * whose extra fields are kept). Returns `event` itself when no step applies; otherwise a new
   * object with the final `schemaVersion` and the transformed payload. Throws {@link UpcastError}
   * when a step fails, when the event is newer than its type's current version, or when its
   * chain does not reach the current version.
   */
  upcast<TEvent extends DomainEventJSON>(event: TEvent): TEvent {
    if (!this.#validated) this.validate();
    const chain = this.resolve(event.type, event.schemaVersion);
    const last = chain[chain.length - 1];
    const finalVersion = last === undefined ? event.schemaVersion : last.to;
    const current = this.#current.get(event.type);
    if (current !== undefined && finalVersion !== current.version) {
      throw new UpcastError({
        eventType: event.type,
        fromVersion: event.schemaVersion,
        toVersion: current.version,
        eventId: event.eventId,
        reason:
          finalVersion > current.version
            ? `the event is newer than the current v${current.version} this reader knows`
            : `no upcaster from v${finalVersion}`,
      });
    }
    if (last === undefined) return event;

    const { payload: original, ...rest } = event;
    const envelope: EventEnvelope = rest;
    // One deep copy up front: steps may mutate what they get without touching the caller's event.
    let payload: EventPayload = structuredClone(original);
    for (const step of chain) {
      payload = applyStep(step, payload, Object.freeze({ ...envelope, schemaVersion: step.from }));
    }
    return { ...event, schemaVersion: finalVersion, payload };
  }

  #chainEnd(type: string, from: number): number {
    const chain = this.resolve(type, from);
    return chain[chain.length - 1]?.to ?? from;
  }

  #assertWithinCurrent(step: AnyEventUpcaster): void {
    const current = this.#current.get(step.type);
    if (current !== undefined && step.to > current.version) {
      throw new UpcasterRegistrationError({
        reason: 'beyond-current',
        eventType: step.type,
        fromVersion: step.from,
        toVersion: step.to,
        message: `Upcaster for ${step.type} targets v${step.to}, past the current v${current.version}`,
      });
    }
  }
}

function applyStep(
  step: AnyEventUpcaster,
  payload: EventPayload,
  envelope: EventEnvelope,
): EventPayload {
  const details = {
    eventType: step.type,
    fromVersion: step.from,
    toVersion: step.to,
    eventId: envelope.eventId,
  };
  let result: unknown;
  try {
    result = (step.upcast as (p: EventPayload, e: EventEnvelope) => unknown)(payload, envelope);
  } catch (cause) {
    throw new UpcastError(details, { cause });
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new UpcastError({
      ...details,
      reason: `the upcaster returned ${describeValue(result)} instead of a payload object`,
    });
  }
  return result as EventPayload;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}
