import type { BusLogger, Sleep, Worker } from '@pd/bus';
import { ConsoleBusLogger, timerSleep } from '@pd/bus';
import { type Clock, domainDefaults, type UpcastHook, ValidationError } from '@pd/ddd';
import type {
  CheckpointStore,
  EventNotifier,
  EventStore,
  ReadAllOptions,
  StoredEvent,
} from '@pd/eventsourcing';
import type { DeadLetterStore } from './deadLetterStore.js';
import {
  type PoisonEventPolicy,
  type ResolvedPoisonEventPolicy,
  resolvePoisonEventPolicy,
} from './poisonEventPolicy.js';
import type {
  DeserializingSubscription,
  FunctionSubscription,
  ProjectionSubscription,
  SubscribableProjection,
  SubscriptionContext,
  SubscriptionOptions,
} from './subscription.js';
import {
  DuplicateSubscriptionIdError,
  RebuildNotSupportedError,
  SubscriptionHaltedError,
  UnknownSubscriptionError,
} from './subscriptionErrors.js';

/** Options of {@link SubscriptionRunner}. */
export interface SubscriptionRunnerOptions {
  readonly eventStore: EventStore;
  /** Holds each subscription's checkpoint: the global position of the last event it dealt with. */
  readonly checkpointStore: CheckpointStore;
  /** Worker name shown by the `Application` (default `'subscription-runner'`). */
  readonly name?: string;
  /**
   * Wakes `run()` when events are appended. Default: the event store itself when it offers
   * `onAppended` (the in-memory store does); without one, `run()` polls with back-off.
   */
  readonly notifier?: EventNotifier;
  /** Brings older stored events to their current schema version before handlers see them. */
  readonly upcaster?: UpcastHook;
  /** Events per read and per handler call, unless a subscription says otherwise (default 100). */
  readonly batchSize?: number;
  /** Default poison-event policy (default: 3 retries with back-off, then `'stop'`). */
  readonly onPoisonEvent?: PoisonEventPolicy;
  /** Where `'skip'` parks events; required when any policy says `'skip'`. */
  readonly deadLetters?: DeadLetterStore;
  /** First idle wait of `run()` when polling, doubled while idle (default 100 ms). */
  readonly pollIntervalMs?: number;
  /** Longest idle wait; with a notifier, the safety poll interval (default 5000 ms). */
  readonly maxPollIntervalMs?: number;
  /** How the runner waits (retry back-off, idle polling). Inject a fake in tests. */
  readonly sleep?: Sleep;
  /** Stamps dead letters (default: the domain defaults' clock). */
  readonly clock?: Clock;
  readonly logger?: BusLogger;
}

/** What one catch-up of one subscription did. */
export interface CatchUpReport {
  readonly subscriptionId: string;
  /** Events handed to the handler successfully. */
  readonly delivered: number;
  /** Events skipped into the dead-letter store. */
  readonly deadLettered: number;
  /** The checkpoint afterwards (a global position). */
  readonly checkpoint: number;
  /** Set when the subscription is halted at a poison event. */
  readonly halted: SubscriptionHaltedError | undefined;
}

interface Tally {
  delivered: number;
  deadLettered: number;
}

interface Prepared {
  readonly stored: StoredEvent;
  readonly item: unknown;
}

/** Any function subscription, whatever its event type. */
type AnyFunctionSubscription = SubscriptionOptions & {
  readonly handler: (
    events: readonly never[],
    context: SubscriptionContext,
  ) => Promise<void> | void;
  readonly deserialize?: (event: StoredEvent) => unknown;
  readonly reset?: () => Promise<void> | void;
};

type Outcome = 'delivered' | 'skipped' | 'halted' | 'stopped';

interface Registered {
  readonly id: string;
  readonly filters: Pick<ReadAllOptions, 'eventTypes' | 'streamCategory'>;
  readonly batchSize: number;
  readonly policy: ResolvedPoisonEventPolicy;
  readonly deserialize: ((event: StoredEvent) => unknown) | undefined;
  readonly handle: (
    events: readonly unknown[],
    context: SubscriptionContext,
  ) => Promise<void> | void;
  readonly reset: (() => Promise<void> | void) | undefined;
}

/**
 * Catch-up subscriptions over the global event log: each subscription reads its own pages
 * (`batchSize` events, filtered by the store on event types or stream category) from its own
 * checkpoint, hands them to its handler, and only then saves the checkpoint, the global position
 * of the last event dealt with. Delivery is at-least-once: a crash before the save delivers the
 * page again. Positions, not counts, so stores with gaps in their positions work.
 *
 * A failing page is retried one event at a time to find the poison event; that event follows the
 * poison-event policy (retries with back-off through the injected `sleep`, then stop the
 * subscription or skip the event to a dead-letter store). Other subscriptions are not held up.
 *
 * `runOnce()` catches every subscription up with what is there now and returns, never sleeping
 * for lack of events. `run()` (or `start()`, as an `Application` worker) keeps going: it is woken
 * by the store's notifier, or polls with back-off. `stop()` lets the handler call in progress
 * finish, saves its checkpoint and ends the loop; it is final, also when called before `run()`.
 *
 * @example
 * const runner = new SubscriptionRunner({ eventStore, checkpointStore, upcaster });
 * runner.subscribe({ id: 'order-totals', eventTypes: [OrderPlaced], handler: async (events) => { … } });
 * app.addWorker(runner); // or: await runner.runOnce();
 */
export class SubscriptionRunner implements Worker {
  readonly name: string;
  readonly #store: EventStore;
  readonly #checkpoints: CheckpointStore;
  readonly #notifier: EventNotifier | undefined;
  readonly #upcaster: UpcastHook | undefined;
  readonly #batchSize: number;
  readonly #policy: ResolvedPoisonEventPolicy;
  readonly #deadLetters: DeadLetterStore | undefined;
  readonly #pollMs: number;
  readonly #maxPollMs: number;
  readonly #sleep: Sleep;
  readonly #clock: Clock | undefined;
  readonly #logger: BusLogger;

  readonly #subscriptions = new Map<string, Registered>();
  readonly #halted = new Map<string, SubscriptionHaltedError>();
  readonly #locks = new Map<string, Promise<void>>();
  readonly #stopController = new AbortController();
  #stopRequested = false;
  #loop: Promise<void> | undefined;
  #wake: AbortController | undefined;
  #dirty = false;

  constructor(options: SubscriptionRunnerOptions) {
    this.name = options.name ?? 'subscription-runner';
    this.#store = options.eventStore;
    this.#checkpoints = options.checkpointStore;
    this.#notifier =
      options.notifier ?? (isEventNotifier(options.eventStore) ? options.eventStore : undefined);
    this.#upcaster = options.upcaster;
    this.#batchSize = checkPositiveInteger(options.batchSize ?? 100, 'batchSize');
    this.#policy = resolvePoisonEventPolicy(options.onPoisonEvent);
    this.#deadLetters = options.deadLetters;
    this.#pollMs = checkNonNegative(options.pollIntervalMs ?? 100, 'pollIntervalMs');
    this.#maxPollMs = checkNonNegative(options.maxPollIntervalMs ?? 5000, 'maxPollIntervalMs');
    this.#sleep = options.sleep ?? timerSleep;
    this.#clock = options.clock;
    this.#logger = options.logger ?? new ConsoleBusLogger();
    this.#assertCanSkip(this.#policy);
  }

  /**
   * Adds a subscription: a function handler (given stored events, or domain events with
   * `deserialize`) or a projection. Its id must be new ({@link DuplicateSubscriptionIdError}).
   *
   * @example
   * runner.subscribe({ id: 'emails', eventTypes: ['OrderPlaced'], handler: sendEmails });
   * runner.subscribe({ handler: new OrderTotals() }); // id 'order-totals', its event types
   * runner.subscribe({ id: 'totals', deserialize: (e) => serializer.deserialize(e),
   *   handler: async (events) => { … } }); // events: OrderPlaced | OrderPaid
   */
  subscribe(definition: ProjectionSubscription): this;
  subscribe<TEvent>(definition: DeserializingSubscription<TEvent>): this;
  subscribe(definition: FunctionSubscription): this;
  subscribe(definition: AnyFunctionSubscription | ProjectionSubscription): this {
    const handler: unknown = definition.handler;
    if (isProjection(handler)) {
      const projection = handler;
      this.#add(
        {
          ...definition,
          id: definition.id ?? projection.name,
          eventTypes: definition.eventTypes ?? projection.handledTypes,
        },
        {
          deserialize: undefined,
          handle: async (_items, context) => {
            for (const stored of context.storedEvents) await projection.apply(stored);
          },
          reset: () => projection.rebuild([]),
        },
      );
      return this;
    }
    if (typeof handler !== 'function') {
      throw ValidationError.of(
        'SubscriptionRunner',
        'handler',
        'a handler must be a function or a projection',
      );
    }
    const fn = definition as AnyFunctionSubscription;
    this.#add(fn, {
      deserialize: fn.deserialize,
      handle: fn.handler as (
        events: readonly unknown[],
        context: SubscriptionContext,
      ) => Promise<void> | void,
      reset: fn.reset,
    });
    return this;
  }

  /** The ids of the subscriptions, in the order they were added. */
  get subscriptionIds(): readonly string[] {
    return [...this.#subscriptions.keys()];
  }

  /** True once `stop()` was called. */
  get stopped(): boolean {
    return this.#stopRequested;
  }

  /** The subscription's saved checkpoint (a global position, 0 before the first event). */
  async checkpoint(subscriptionId: string): Promise<number> {
    this.#get(subscriptionId);
    return this.#checkpoints.load(subscriptionId);
  }

  /** Why the subscription is halted, or `undefined` when it is running. */
  halted(subscriptionId: string): SubscriptionHaltedError | undefined {
    this.#get(subscriptionId);
    return this.#halted.get(subscriptionId);
  }

  /** Lets a halted subscription try its poison event again (after a fix); it keeps its checkpoint. */
  resume(subscriptionId: string): void {
    this.#get(subscriptionId);
    this.#halted.delete(subscriptionId);
    this.#wake?.abort();
  }

  /**
   * Catches every subscription up with the events there now, page by page, and returns what each
   * did. It never sleeps waiting for events (only between retries of a failing event), and does
   * nothing once the runner is stopped. Read or checkpoint-store failures are thrown.
   */
  async runOnce(): Promise<readonly CatchUpReport[]> {
    const reports: CatchUpReport[] = [];
    for (const subscription of [...this.#subscriptions.values()]) {
      reports.push(await this.#catchUp(subscription));
    }
    return reports;
  }

  /**
   * Processes events until `stop()`: one page per subscription in turn while any has more, then
   * waits for the notifier (or a poll interval, doubled while idle). Read failures are logged and
   * retried after a back-off. Returns when stopped; a second call returns the same loop.
   */
  run(): Promise<void> {
    this.#loop ??= this.#runLoop();
    return this.#loop;
  }

  /** `Worker.start`: runs {@link run} in the background. */
  start(): void {
    this.run().catch((error: unknown) =>
      this.#logger.error('Subscription runner crashed', { error }),
    );
  }

  /**
   * Stops for good: the handler call in progress finishes and its checkpoint is saved, waits are
   * cut short, and `run()` returns. Resolves once the loop has ended. Stopping before `run()`
   * means it never runs. (Inside a handler, call it without awaiting: the loop waits for you.)
   */
  async stop(): Promise<void> {
    this.#stopRequested = true;
    this.#stopController.abort();
    this.#wake?.abort();
    await this.#loop;
  }

  /**
   * Rebuilds a subscription's read model: calls its reset hook, resets its checkpoint to 0,
   * clears a halt, then replays the whole log into it (as `runOnce` does for one subscription).
   * Throws {@link RebuildNotSupportedError} when it has no reset hook.
   */
  async rebuild(subscriptionId: string): Promise<CatchUpReport> {
    const subscription = this.#get(subscriptionId);
    const reset = subscription.reset;
    if (reset === undefined) throw new RebuildNotSupportedError(subscriptionId);
    await this.#withLock(subscriptionId, async () => {
      await reset();
      if (this.#checkpoints.reset !== undefined) await this.#checkpoints.reset(subscriptionId);
      else await this.#checkpoints.save(subscriptionId, 0);
      this.#halted.delete(subscriptionId);
    });
    return this.#catchUp(subscription);
  }

  #add(
    options: Partial<SubscriptionOptions>,
    handling: Pick<Registered, 'deserialize' | 'handle' | 'reset'>,
  ): void {
    const id = options.id;
    if (typeof id !== 'string' || id.length === 0) {
      throw ValidationError.of('SubscriptionRunner', 'id', 'a subscription needs a non-empty id');
    }
    if (this.#subscriptions.has(id)) throw new DuplicateSubscriptionIdError(id);
    const policy = resolvePoisonEventPolicy(options.onPoisonEvent, this.#policy);
    this.#assertCanSkip(policy);
    const filters: { eventTypes?: readonly string[]; streamCategory?: string } = {};
    if (options.eventTypes !== undefined) {
      filters.eventTypes = options.eventTypes.map((t) => (typeof t === 'string' ? t : t.typeName));
    }
    if (options.streamCategory !== undefined) filters.streamCategory = options.streamCategory;
    this.#subscriptions.set(id, {
      id,
      filters,
      batchSize: checkPositiveInteger(options.batchSize ?? this.#batchSize, 'batchSize'),
      policy,
      ...handling,
    });
  }

  #get(subscriptionId: string): Registered {
    const subscription = this.#subscriptions.get(subscriptionId);
    if (subscription === undefined) throw new UnknownSubscriptionError(subscriptionId);
    return subscription;
  }

  #assertCanSkip(policy: ResolvedPoisonEventPolicy): void {
    if (policy.onExhausted === 'skip' && this.#deadLetters === undefined) {
      throw ValidationError.of(
        'SubscriptionRunner',
        'deadLetters',
        "a poison-event policy 'skip' needs a dead-letter store",
      );
    }
  }

  async #catchUp(subscription: Registered): Promise<CatchUpReport> {
    const tally: Tally = { delivered: 0, deadLettered: 0 };
    while ((await this.#processPage(subscription, tally)).more) {
      // next page
    }
    return {
      subscriptionId: subscription.id,
      ...tally,
      checkpoint: await this.#checkpoints.load(subscription.id),
      halted: this.#halted.get(subscription.id),
    };
  }

  /**
   * One page for one subscription. `more`: there is more to read right away; `progressed`:
   * something was delivered or the checkpoint moved.
   */
  #processPage(
    subscription: Registered,
    tally: Tally,
  ): Promise<{ more: boolean; progressed: boolean }> {
    return this.#withLock(subscription.id, async () => {
      if (this.#stopRequested || this.#halted.has(subscription.id))
        return { more: false, progressed: false };
      const from = await this.#checkpoints.load(subscription.id);
      const page = await this.#store.readAll({
        ...subscription.filters,
        fromPosition: from,
        limit: subscription.batchSize,
      });
      if (page.events.length > 0 && !(await this.#deliver(subscription, page.events, tally))) {
        return { more: false, progressed: true };
      }
      // Saved even when filters returned nothing: the positions examined need not be read again.
      const moved = page.lastPosition > from;
      if (moved) await this.#checkpoints.save(subscription.id, page.lastPosition);
      return { more: moved && !page.isEnd, progressed: moved || page.events.length > 0 };
    });
  }

  /** Delivers a page; false when it stopped part-way (halted or runner stopped). */
  async #deliver(
    subscription: Registered,
    events: readonly StoredEvent[],
    tally: Tally,
  ): Promise<boolean> {
    let batchFailure: { error: unknown } | undefined;
    try {
      const prepared = events.map((event) => this.#prepare(subscription, event));
      try {
        await subscription.handle(
          prepared.map((p) => p.item),
          { subscriptionId: subscription.id, storedEvents: prepared.map((p) => p.stored) },
        );
        tally.delivered += events.length;
        return true;
      } catch (error) {
        batchFailure = { error };
      }
    } catch {
      // An event could not be upcast or deserialised: find it one event at a time below.
    }
    if (batchFailure !== undefined) {
      this.#logger.warn('Subscription batch failed; retrying event by event', {
        subscriptionId: subscription.id,
        error: batchFailure.error,
      });
    }
    for (const [index, event] of events.entries()) {
      if (this.#stopRequested) return false;
      // A one-event batch has already had its first attempt.
      const prior = index === 0 && events.length === 1 ? batchFailure : undefined;
      const outcome = await this.#deliverOne(subscription, event, prior);
      if (outcome === 'halted' || outcome === 'stopped') return false;
      if (outcome === 'delivered') tally.delivered += 1;
      else tally.deadLettered += 1;
      await this.#checkpoints.save(subscription.id, event.globalPosition);
    }
    return true;
  }

  async #deliverOne(
    subscription: Registered,
    event: StoredEvent,
    prior: { error: unknown } | undefined,
  ): Promise<Outcome> {
    let prepared: Prepared;
    try {
      prepared = this.#prepare(subscription, event);
    } catch (error) {
      // Upcasting and deserialising are deterministic: retrying cannot help.
      return this.#giveUp(subscription, event, 1, error);
    }
    let attempts = prior === undefined ? 0 : 1;
    let lastError: unknown = prior?.error;
    for (;;) {
      if (attempts > 0) {
        if (attempts > subscription.policy.retries)
          return this.#giveUp(subscription, event, attempts, lastError);
        await this.#sleep(subscription.policy.backoffMs(attempts), this.#stopController.signal);
        if (this.#stopRequested) return 'stopped';
      }
      attempts += 1;
      try {
        await subscription.handle([prepared.item], {
          subscriptionId: subscription.id,
          storedEvents: [prepared.stored],
        });
        return 'delivered';
      } catch (error) {
        lastError = error;
      }
    }
  }

  async #giveUp(
    subscription: Registered,
    event: StoredEvent,
    attempts: number,
    error: unknown,
  ): Promise<Outcome> {
    if (subscription.policy.onExhausted === 'skip' && this.#deadLetters !== undefined) {
      await this.#deadLetters.add({
        subscriptionId: subscription.id,
        event,
        error,
        attempts,
        failedAt: (this.#clock ?? domainDefaults().clock).now(),
      });
      this.#logger.warn('Subscription skipped a poison event to the dead-letter store', {
        subscriptionId: subscription.id,
        eventId: event.eventId,
        position: event.globalPosition,
        attempts,
        error,
      });
      return 'skipped';
    }
    const halted = new SubscriptionHaltedError(subscription.id, event, attempts, error);
    this.#halted.set(subscription.id, halted);
    this.#logger.error(halted.message, { subscriptionId: subscription.id, error });
    return 'halted';
  }

  #prepare(subscription: Registered, event: StoredEvent): Prepared {
    const stored =
      this.#upcaster === undefined ? event : (this.#upcaster.upcast(event) as StoredEvent);
    return {
      stored,
      item: subscription.deserialize === undefined ? stored : subscription.deserialize(stored),
    };
  }

  async #runLoop(): Promise<void> {
    if (this.#stopRequested) return;
    const unsubscribe = this.#notifier?.onAppended(() => {
      this.#dirty = true;
      this.#wake?.abort();
    });
    let idleRounds = 0;
    try {
      while (!this.#stopRequested) {
        this.#dirty = false;
        let more = false;
        let progressed = false;
        for (const subscription of [...this.#subscriptions.values()]) {
          if (this.#stopRequested) break;
          try {
            const page = await this.#processPage(subscription, { delivered: 0, deadLettered: 0 });
            more ||= page.more;
            progressed ||= page.progressed;
          } catch (error) {
            this.#logger.error('Subscription read failed; retrying after a pause', {
              subscriptionId: subscription.id,
              error,
            });
          }
        }
        if (this.#stopRequested) break;
        if (progressed) idleRounds = 0;
        if (more || this.#dirty) continue;
        await this.#idle(idleRounds);
        idleRounds += 1;
      }
    } finally {
      unsubscribe?.();
    }
  }

  async #idle(idleRounds: number): Promise<void> {
    const ms =
      this.#notifier === undefined
        ? Math.min(this.#maxPollMs, this.#pollMs * 2 ** idleRounds)
        : this.#maxPollMs;
    const wake = new AbortController();
    this.#wake = wake;
    try {
      await this.#sleep(ms, wake.signal);
    } finally {
      this.#wake = undefined;
    }
  }

  async #withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    let release: () => void = () => {};
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.#locks.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    }
  }
}

function isProjection(value: unknown): value is SubscribableProjection {
  const candidate = value as Partial<SubscribableProjection> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.apply === 'function' &&
    typeof candidate.rebuild === 'function' &&
    typeof candidate.name === 'string'
  );
}

function isEventNotifier(value: unknown): value is EventNotifier {
  return typeof (value as Partial<EventNotifier> | null)?.onAppended === 'function';
}

function checkPositiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw ValidationError.of(
      'SubscriptionRunner',
      field,
      `must be a positive integer, got ${value}`,
    );
  }
  return value;
}

function checkNonNegative(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw ValidationError.of(
      'SubscriptionRunner',
      field,
      `must be a non-negative number, got ${value}`,
    );
  }
  return value;
}
