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
  /** How `run()` waits (retry back-off, idle polling; `runOnce` never does). Inject a fake in tests. */
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
  /**
   * Set when the subscription stopped at an event its handler failed on that still has retries
   * left: the checkpoint stays before it and the next round (`runOnce`, or `run()` after the
   * back-off) tries it again. `attempts` counts every attempt so far, across calls.
   */
  readonly retrying:
    | { readonly event: StoredEvent; readonly attempts: number; readonly error: unknown }
    | undefined;
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

/** An event whose handler failed and which has retries left, as the runner remembers it. */
interface Failing {
  readonly event: StoredEvent;
  readonly attempts: number;
  readonly error: unknown;
}

/**
 * Who asked for the work. Only `'rebuild'` goes on after `stop()`: it was asked for explicitly.
 * (Retry back-offs are waited out by the live loop itself, outside the subscription's lock.)
 */
type Mode = 'live' | 'once' | 'rebuild';

/** What became of one event: `'retry'` leaves it, with its count remembered, for the next round. */
type Outcome = 'delivered' | 'skipped' | 'halted' | 'retry';

/** What became of a page: all dealt with, or stopped at an event (halt, retry) or by `stop()`. */
type PageEnd = 'complete' | 'retry' | 'interrupted';

interface PageResult {
  /** There is more to read right away. */
  readonly more: boolean;
  /** Something was delivered or the checkpoint moved. */
  readonly progressed: boolean;
  /** The failing event the page stopped at, when it has retries left. */
  readonly retry: Failing | undefined;
}

/** The wake-up state of one subscription's live loop. */
interface LiveLoop {
  /** Set by the notifier: more events may be there, so look again before idling. */
  dirty: boolean;
  /** Cuts the idle wait short; set while idling. */
  wake: AbortController | undefined;
}

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
 * poison-event policy: `retries` more attempts, then `onExhausted` (`'stop'` halts the
 * subscription before it, `'skip'` parks it in the dead-letter store). The runner remembers each
 * failing event's attempt count, so retries add up across rounds and calls.
 *
 * `runOnce()` catches every subscription up with what is there now and returns. It never sleeps:
 * a failing event ends that subscription's round with one attempt made (its report says
 * `retrying`), and the next `runOnce()` tries it again. `run()` (or `start()`, as an `Application`
 * worker) keeps going, one loop per subscription, each woken by the store's notifier or polling
 * with back-off, and waits `backoffMs` (through the injected `sleep`) between retries. A
 * subscription retrying, backing off or halted does not hold up the others. `stop()` lets the
 * handler call in progress finish, saves its checkpoint and ends the loops; it is final, also when
 * called before `run()`.
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
  readonly #failing = new Map<string, Failing>();
  readonly #locks = new Map<string, Promise<void>>();
  readonly #stopController = new AbortController();
  /** One live loop per subscription while `run()` is going; subscriptions added later join. */
  readonly #liveLoops = new Map<
    string,
    { readonly state: LiveLoop; readonly done: Promise<void> }
  >();
  #stopRequested = false;
  #running = false;
  #loop: Promise<void> | undefined;

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
   * Added while `run()` is going, it gets its own live loop at once.
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
          // The projection deserialises inside `apply`: a payload it cannot read fails there, and
          // is retried like any handler failure (the interface offers no separate step).
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

  /**
   * Lets a halted subscription try its poison event again (after a fix), with a fresh set of
   * retries; it keeps its checkpoint.
   */
  resume(subscriptionId: string): void {
    this.#get(subscriptionId);
    this.#halted.delete(subscriptionId);
    this.#liveLoops.get(subscriptionId)?.state.wake?.abort();
  }

  /**
   * Catches every subscription up with the events there now, page by page, and returns what each
   * did. It never sleeps, neither for lack of events nor between retries: an event whose handler
   * fails ends that subscription's round (the checkpoint stays before it, the report's `retrying`
   * says so) while the others carry on, and the next call tries it again. Once its retries are
   * spent, the policy's `onExhausted` applies. Does nothing once the runner is stopped. Read or
   * checkpoint-store failures are thrown.
   *
   * @example
   * // A cron job: each run makes one more attempt at a failing event, up to `retries`.
   * for (const report of await runner.runOnce()) {
   *   if (report.retrying) log.warn(`${report.subscriptionId}: attempt ${report.retrying.attempts} failed`);
   * }
   */
  async runOnce(): Promise<readonly CatchUpReport[]> {
    const reports: CatchUpReport[] = [];
    for (const subscription of [...this.#subscriptions.values()]) {
      reports.push(await this.#catchUp(subscription, 'once'));
    }
    return reports;
  }

  /**
   * Processes events until `stop()`, one loop per subscription, so that one retrying, backing off
   * or halted does not delay another. Each loop reads page after page while there are more, then
   * waits for the notifier (or a poll interval, doubled while idle); a failing event is retried
   * after its policy's `backoffMs`. Read failures are logged and retried after a pause. Returns
   * when stopped; a second call returns the same promise.
   */
  run(): Promise<void> {
    this.#loop ??= this.#runLive();
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
   * cut short, and `run()` returns. Resolves once the loops have ended. Stopping before `run()`
   * means it never runs. (Inside a handler, call it without awaiting: the loop waits for you.)
   * An explicit `rebuild` still works afterwards.
   */
  async stop(): Promise<void> {
    this.#stopRequested = true;
    this.#stopController.abort();
    for (const { state } of this.#liveLoops.values()) state.wake?.abort();
    await this.#loop;
  }

  /**
   * Rebuilds a subscription's read model: calls its reset hook, resets its checkpoint to 0,
   * clears a halt and a remembered failure, then replays the whole log into it (as `runOnce` does
   * for one subscription, without sleeping). It is explicit work, so it runs to the end after
   * `stop()` too. Throws {@link RebuildNotSupportedError} when it has no reset hook.
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
      this.#failing.delete(subscriptionId);
    });
    return this.#catchUp(subscription, 'rebuild');
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
    const subscription: Registered = {
      id,
      filters,
      batchSize: checkPositiveInteger(options.batchSize ?? this.#batchSize, 'batchSize'),
      policy,
      ...handling,
    };
    this.#subscriptions.set(id, subscription);
    if (this.#running && !this.#stopRequested) this.#startLiveLoop(subscription);
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

  async #catchUp(subscription: Registered, mode: Mode): Promise<CatchUpReport> {
    const tally: Tally = { delivered: 0, deadLettered: 0 };
    while ((await this.#processPage(subscription, tally, mode)).more) {
      // next page
    }
    return {
      subscriptionId: subscription.id,
      ...tally,
      checkpoint: await this.#checkpoints.load(subscription.id),
      halted: this.#halted.get(subscription.id),
      retrying: this.#failing.get(subscription.id),
    };
  }

  /** One page for one subscription, under its lock. */
  #processPage(subscription: Registered, tally: Tally, mode: Mode): Promise<PageResult> {
    return this.#withLock(subscription.id, async () => {
      const stopped = mode !== 'rebuild' && this.#stopRequested;
      if (stopped || this.#halted.has(subscription.id)) {
        return { more: false, progressed: false, retry: undefined };
      }
      const from = await this.#checkpoints.load(subscription.id);
      const page = await this.#store.readAll({
        ...subscription.filters,
        fromPosition: from,
        limit: subscription.batchSize,
      });
      if (page.events.length > 0) {
        const end = await this.#deliver(subscription, page.events, tally, mode);
        if (end !== 'complete') {
          const retry = end === 'retry' ? this.#failing.get(subscription.id) : undefined;
          return { more: false, progressed: true, retry };
        }
      }
      // Saved even when filters returned nothing: the positions examined need not be read again.
      const moved = page.lastPosition > from;
      if (moved) await this.#checkpoints.save(subscription.id, page.lastPosition);
      return {
        more: moved && !page.isEnd,
        progressed: moved || page.events.length > 0,
        retry: undefined,
      };
    });
  }

  /**
   * Delivers a page: a remembered failing event first and alone (a batch around it would only
   * fail again), then the rest as one batch, or event by event when the batch fails.
   */
  async #deliver(
    subscription: Registered,
    events: readonly StoredEvent[],
    tally: Tally,
    mode: Mode,
  ): Promise<PageEnd> {
    let rest = events;
    const failing = this.#failing.get(subscription.id);
    if (failing !== undefined) {
      const first = events[0];
      if (first !== undefined && first.globalPosition === failing.event.globalPosition) {
        const end = await this.#settle(subscription, first, undefined, tally);
        if (end !== 'complete') return end;
        rest = events.slice(1);
      } else {
        // The checkpoint moved past it some other way (another process): nothing left to retry.
        this.#failing.delete(subscription.id);
      }
    }
    if (rest.length === 0) return 'complete';
    let batchFailure: { error: unknown } | undefined;
    try {
      const prepared = rest.map((event) => this.#prepare(subscription, event));
      try {
        await subscription.handle(
          prepared.map((p) => p.item),
          { subscriptionId: subscription.id, storedEvents: prepared.map((p) => p.stored) },
        );
        tally.delivered += rest.length;
        return 'complete';
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
    for (const [index, event] of rest.entries()) {
      if (mode !== 'rebuild' && this.#stopRequested) return 'interrupted';
      // A one-event batch has already had its first attempt.
      const failedNow = index === 0 && rest.length === 1 ? batchFailure : undefined;
      const end = await this.#settle(subscription, event, failedNow, tally);
      if (end !== 'complete') return end;
    }
    return 'complete';
  }

  /** One event, then its checkpoint when the runner moved past it. */
  async #settle(
    subscription: Registered,
    event: StoredEvent,
    failedNow: { error: unknown } | undefined,
    tally: Tally,
  ): Promise<PageEnd> {
    const outcome = await this.#deliverOne(subscription, event, failedNow);
    if (outcome === 'halted') return 'interrupted';
    if (outcome === 'retry') return 'retry';
    if (outcome === 'delivered') tally.delivered += 1;
    else tally.deadLettered += 1;
    await this.#checkpoints.save(subscription.id, event.globalPosition);
    return 'complete';
  }

  /**
   * One attempt at one event (none when `failedNow` says the attempt was just made), counted on
   * top of the attempts remembered for it. Never sleeps: a live loop waits out the back-off
   * itself, outside the subscription's lock.
   */
  async #deliverOne(
    subscription: Registered,
    event: StoredEvent,
    failedNow: { error: unknown } | undefined,
  ): Promise<Outcome> {
    const known = this.#failing.get(subscription.id);
    const before = known?.event.globalPosition === event.globalPosition ? known.attempts : 0;
    let prepared: Prepared;
    try {
      prepared = this.#prepare(subscription, event);
    } catch (error) {
      // Upcasting and deserialising are deterministic: retrying cannot help.
      this.#failing.delete(subscription.id);
      return this.#giveUp(subscription, event, before + 1, error);
    }
    let error = failedNow?.error;
    if (failedNow === undefined) {
      try {
        await subscription.handle([prepared.item], {
          subscriptionId: subscription.id,
          storedEvents: [prepared.stored],
        });
        this.#failing.delete(subscription.id);
        return 'delivered';
      } catch (caught) {
        error = caught;
      }
    }
    const attempts = before + 1;
    if (attempts > subscription.policy.retries) {
      this.#failing.delete(subscription.id);
      return this.#giveUp(subscription, event, attempts, error);
    }
    this.#failing.set(subscription.id, { event, attempts, error });
    this.#logger.warn('Subscription handler failed; the event will be retried', {
      subscriptionId: subscription.id,
      eventId: event.eventId,
      position: event.globalPosition,
      attempts,
      error,
    });
    return 'retry';
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

  async #runLive(): Promise<void> {
    if (this.#stopRequested) return;
    // One notifier listener for every loop: each one looks again before idling.
    const unsubscribe = this.#notifier?.onAppended(() => {
      for (const { state } of this.#liveLoops.values()) {
        state.dirty = true;
        state.wake?.abort();
      }
    });
    this.#running = true;
    try {
      for (const subscription of this.#subscriptions.values()) this.#startLiveLoop(subscription);
      const stopSignal = this.#stopController.signal;
      if (!stopSignal.aborted) {
        await new Promise<void>((resolve) =>
          stopSignal.addEventListener('abort', () => resolve(), { once: true }),
        );
      }
      await Promise.all([...this.#liveLoops.values()].map((loop) => loop.done));
    } finally {
      this.#running = false;
      unsubscribe?.();
    }
  }

  #startLiveLoop(subscription: Registered): void {
    const state: LiveLoop = { dirty: false, wake: undefined };
    const done = this.#liveLoop(subscription, state).catch((error: unknown) =>
      this.#logger.error('Subscription loop crashed', { subscriptionId: subscription.id, error }),
    );
    this.#liveLoops.set(subscription.id, { state, done });
  }

  async #liveLoop(subscription: Registered, state: LiveLoop): Promise<void> {
    let idleRounds = 0;
    while (!this.#stopRequested) {
      state.dirty = false;
      let page: PageResult | undefined;
      try {
        page = await this.#processPage(subscription, { delivered: 0, deadLettered: 0 }, 'live');
      } catch (error) {
        this.#logger.error('Subscription read failed; retrying after a pause', {
          subscriptionId: subscription.id,
          error,
        });
      }
      if (this.#stopRequested) break;
      if (page?.retry !== undefined) {
        // Only `stop()` cuts a back-off short: new events do not make the failing one pass.
        await this.#sleep(
          subscription.policy.backoffMs(page.retry.attempts),
          this.#stopController.signal,
        );
        continue;
      }
      if (page?.progressed) idleRounds = 0;
      if (page?.more || state.dirty) continue;
      await this.#idle(state, idleRounds);
      idleRounds += 1;
    }
  }

  async #idle(state: LiveLoop, idleRounds: number): Promise<void> {
    const ms =
      this.#notifier === undefined
        ? Math.min(this.#maxPollMs, this.#pollMs * 2 ** idleRounds)
        : this.#maxPollMs;
    const wake = new AbortController();
    state.wake = wake;
    try {
      if (!this.#stopRequested) await this.#sleep(ms, wake.signal);
    } finally {
      state.wake = undefined;
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
