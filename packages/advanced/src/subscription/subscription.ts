import type { StoredEvent } from '@pd/eventsourcing';
import type { PoisonEventPolicy } from './poisonEventPolicy.js';

/** What a subscription handler is told besides its events. */
export interface SubscriptionContext {
  readonly subscriptionId: string;
  /**
   * The delivered events as stored (after upcasting), aligned with `events`: use them for global
   * positions, stream ids and versions when `events` were deserialised.
   */
  readonly storedEvents: readonly StoredEvent[];
}

/**
 * Handles a batch of events, in global order. It may see an event again after a crash or a
 * failure (at-least-once delivery): make it idempotent, e.g. by keeping the last applied
 * `globalPosition` with the read model.
 */
export type SubscriptionHandler<TEvent = StoredEvent> = (
  events: readonly TEvent[],
  context: SubscriptionContext,
) => Promise<void> | void;

/** An event type to subscribe to: its type name, or its class (its `typeName` is used). */
export type EventTypeFilter = string | { readonly typeName: string };

/** The parts of a subscription that do not depend on how events are handled. */
export interface SubscriptionOptions {
  /** Stable id: the key of its checkpoint (and dead letters). */
  readonly id: string;
  /** Only these event types (the store filters them; default: every type). */
  readonly eventTypes?: readonly EventTypeFilter[];
  /** Only streams of this category (`Order` for `Order-42`; the store filters them). */
  readonly streamCategory?: string;
  /** Events per read and per handler call (default: the runner's `batchSize`). */
  readonly batchSize?: number;
  /** Overrides the runner's poison-event policy for this subscription. */
  readonly onPoisonEvent?: PoisonEventPolicy;
}

/**
 * A subscription with a function handler, given stored events (upcast when the runner has an
 * upcaster). `reset` empties its read model; `rebuild` needs it.
 */
export interface FunctionSubscription extends SubscriptionOptions {
  readonly handler: SubscriptionHandler;
  readonly reset?: () => Promise<void> | void;
}

/**
 * A function subscription whose handler gets domain events: `deserialize` turns each stored event
 * into one (e.g. `(e) => serializer.deserialize(e)` with an `EventSerializer`), and the handler's
 * event type is inferred from it. A deserialisation failure is a poison event.
 */
export interface DeserializingSubscription<TEvent> extends SubscriptionOptions {
  readonly deserialize: (event: StoredEvent) => TEvent;
  readonly handler: SubscriptionHandler<NoInfer<TEvent>>;
  readonly reset?: () => Promise<void> | void;
}

/**
 * What the runner needs of a projection: `EventSourcedProjection` instances from
 * `@pd/eventsourcing` fit. `apply` takes one stored event and skips those at or below its own
 * checkpoint (a global position), which makes redelivery harmless; `rebuild([])` clears it.
 */
export interface SubscribableProjection {
  readonly name: string;
  /** Type names it handles: the runner asks the store for these only. */
  readonly handledTypes: readonly string[];
  apply(stored: StoredEvent): Promise<void>;
  rebuild(events: Iterable<StoredEvent>): Promise<void>;
}

/**
 * A subscription whose handler is a projection. `id` defaults to the projection's `name` and
 * `eventTypes` to its handled types; `rebuild` resets it through `projection.rebuild([])`. The
 * projection deserialises inside `apply`, so a payload it cannot read is retried like a failing
 * handler (give the runner the `upcaster` so that upcast failures are caught before `apply`).
 */
export interface ProjectionSubscription extends Partial<SubscriptionOptions> {
  readonly handler: SubscribableProjection;
}
