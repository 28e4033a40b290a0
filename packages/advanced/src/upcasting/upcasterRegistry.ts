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
 * the registered steps of a type may leave no gap: every chain must reach the highest version
 * they produce (checked at each {@link register} call). For types whose current version is
 * declared, every chain must also end exactly at it (checked by {@link validate}). The result's
 * envelope `schemaVersion` is the version the last step produced. The input event is never
 * mutated; when no step applies it is returned as is.
 *
 * @example
 * const upcasters = new UpcasterRegistry({
 *   upcasters: [orderPlacedV1toV2, orderPlacedV2toV3],
 *   events: [OrderPlaced], // OrderPlaced.schemaVersion === 3
 * });
 * upcasters.validate(); // at start-up: throws UpcasterRegistrationError if v1 cannot reach v3
 * const repository = new EventSourcedRepository(eventStore, Order, { upcaster: upcasters });
 */
export class UpcasterRegistry implements UpcastHook {
  readonly #steps = new Map<string, Map<number, AnyEventUpcaster>>();
  /** Per type, the highest `to` of its steps: where every chain of the type must end. */
  readonly #highest = new Map<string, number>();
  readonly #current = new Map<string, CurrentVersion>();
  #validated = true;

  constructor(options: UpcasterRegistryOptions = {}) {
    if (options.events !== undefined) this.declareEvents(...options.events);
    if (options.upcasters !== undefined) this.register(...options.upcasters);
  }

  /**
   * Adds steps, all or none. Throws {@link UpcasterRegistrationError} for a malformed step
   * (`'invalid'`), a step that does not raise the version (`'not-forward'`), a second step for one
   * (type, from) (`'duplicate'`), a target past the type's declared current version
   * (`'beyond-current'`), or a gap between the steps now registered for a type (`'gap'`: some
   * chain stops below the highest version the type's steps produce, so an event on it would be
   * handed out half-way). The steps are checked together, in any order, so a chain registered in
   * one call never trips over itself; across calls, add steps oldest first.
   */
  register(...upcasters: readonly AnyEventUpcaster[]): this {
    // Staged copies: a refused call leaves the registry exactly as it was.
    const staged = new Map<string, Map<number, AnyEventUpcaster>>();
    for (const upcaster of upcasters) {
      assertValidUpcaster(upcaster);
      let byVersion = staged.get(upcaster.type);
      if (byVersion === undefined) {
        byVersion = new Map(this.#steps.get(upcaster.type));
        staged.set(upcaster.type, byVersion);
      }
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
    }
    for (const [type, byVersion] of staged) {
      const top = highestVersion(byVersion);
      const gap = findGap(byVersion, byVersion.keys(), top);
      if (gap !== undefined) {
        throw new UpcasterRegistrationError({
          reason: 'gap',
          eventType: type,
          fromVersion: gap.start,
          toVersion: top,
          message: `Upcasters of ${type} leave a gap: events at v${gap.start} stop at v${gap.end} (no upcaster from v${gap.end}) while other steps reach v${top}; register the missing step, in the same register() call if it comes after`,
        });
      }
    }
    for (const [type, byVersion] of staged) {
      if (byVersion.size === (this.#steps.get(type)?.size ?? 0)) continue;
      this.#steps.set(type, byVersion);
      this.#highest.set(type, highestVersion(byVersion));
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
   * Checks every type, declared or not: from the start of every registered step (and, for a
   * declared type, from its oldest version) the chain must end exactly at the type's target, its
   * declared current version or else the highest version its steps produce. Throws
   * {@link UpcasterRegistrationError} (`'gap'`) otherwise. Gaps between registered steps are
   * already refused by {@link register}; what is left for this check is a declared type whose
   * chains stop short of its current version, which more steps may still fix. Runs by itself
   * before the first upcast after a change; call it at start-up to fail early.
   */
  validate(): void {
    for (const type of new Set([...this.#current.keys(), ...this.#steps.keys()])) {
      const byVersion = this.#steps.get(type) ?? new Map<number, AnyEventUpcaster>();
      const current = this.#current.get(type);
      const target = current?.version ?? this.#highest.get(type);
      if (target === undefined) continue;
      const starts = [...byVersion.keys()];
      if (current !== undefined) starts.push(current.oldestVersion);
      const gap = findGap(byVersion, starts, target);
      if (gap !== undefined) {
        throw new UpcasterRegistrationError({
          reason: 'gap',
          eventType: type,
          fromVersion: gap.start,
          toVersion: target,
          message: `Events of ${type} at v${gap.start} cannot reach the current v${target}: the chain stops at v${gap.end} (no upcaster from v${gap.end})`,
        });
      }
    }
    this.#validated = true;
  }

  /**
   * Upcasts one stored event (or any object extending its JSON form, such as a `StoredEvent`,
   * whose extra fields are kept). Returns `event` itself when no step applies; otherwise a new
   * object with the final `schemaVersion` and the transformed payload. Throws {@link UpcastError}
   * when a step fails, when the event is newer than its type's declared current version, or when
   * it would stop below its type's target (the declared current version, else the highest version
   * the type's steps produce), e.g. a version no chain starts from. An event of an undeclared type
   * at or past the highest version its steps produce is returned as is. Throws
   * {@link UpcasterRegistrationError} (`'gap'`) when {@link validate} fails.
   */
  upcast<TEvent extends DomainEventJSON>(event: TEvent): TEvent {
    if (!this.#validated) this.validate();
    const chain = this.resolve(event.type, event.schemaVersion);
    const last = chain[chain.length - 1];
    const finalVersion = last === undefined ? event.schemaVersion : last.to;
    const current = this.#current.get(event.type)?.version;
    const target = current ?? this.#highest.get(event.type);
    // Without a declaration, a version past the steps' highest may be current: let it through.
    const stale = target !== undefined && finalVersion < target;
    const tooNew = current !== undefined && finalVersion > current;
    if (target !== undefined && (stale || tooNew)) {
      throw new UpcastError({
        eventType: event.type,
        fromVersion: event.schemaVersion,
        toVersion: target,
        eventId: event.eventId,
        reason: tooNew
          ? `the event is newer than the current v${target} this reader knows`
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

/** Where the chain from `from` ends: the first version without a step. */
function chainEnd(byVersion: ReadonlyMap<number, AnyEventUpcaster>, from: number): number {
  let version = from;
  // Every step raises the version, so this walk always terminates.
  for (let step = byVersion.get(version); step !== undefined; step = byVersion.get(version)) {
    version = step.to;
  }
  return version;
}

/** The lowest start below `target` whose chain does not end at `target`, and where it ends. */
function findGap(
  byVersion: ReadonlyMap<number, AnyEventUpcaster>,
  starts: Iterable<number>,
  target: number,
): { readonly start: number; readonly end: number } | undefined {
  for (const start of [...new Set(starts)].sort((a, b) => a - b)) {
    if (start >= target) continue;
    const end = chainEnd(byVersion, start);
    if (end !== target) return { start, end };
  }
  return undefined;
}

function highestVersion(byVersion: ReadonlyMap<number, AnyEventUpcaster>): number {
  let highest = 0;
  for (const step of byVersion.values()) highest = Math.max(highest, step.to);
  return highest;
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
