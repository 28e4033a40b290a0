import {
  type AnyCommand,
  type AnyQuery,
  type CommandDispatcher,
  currentMessageContext,
  type DispatchOutcome,
  type ResultOf,
} from '@pd/cqrs';
import type { AnyDomainEvent } from '@pd/ddd';
import type { MessageBroker } from '../broker/messageBroker.js';
import { MessageBus } from '../bus/messageBus.js';
import {
  ApplicationStoppedError,
  ShutdownError,
  type ShutdownFailure,
} from '../errors/busErrors.js';
import { type BusLogger, ConsoleBusLogger } from '../logging/logger.js';
import { EventRegistry } from '../registry/eventRegistry.js';
import type { Lifecycle, Worker } from './worker.js';

/** Where an {@link Application} is in its life. */
export type ApplicationState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/** What an {@link Application} is composed of. Everything is optional. */
export interface ApplicationOptions<TStores extends object = Record<string, never>> {
  /** Default: a new {@link MessageBus}. */
  readonly bus?: MessageBus;
  /** Default: a new, empty {@link EventRegistry}. */
  readonly registry?: EventRegistry;
  /** The outbound broker, started after the gateways and stopped last. */
  readonly broker?: MessageBroker;
  /** Inbound gateways (an `InboundEventGateway` or anything with start/stop), started first. */
  readonly gateways?: readonly Lifecycle[];
  /** Background workers (outbox relays, subscription runners, saga timers), started last, stopped first. */
  readonly workers?: readonly Worker[];
  /** Stores the application owns (event store, snapshot store, …), kept and exposed as `app.stores`. */
  readonly stores?: TStores;
  /** Default: a {@link ConsoleBusLogger}. */
  readonly logger?: BusLogger;
}

interface Component {
  readonly name: string;
  readonly part: Lifecycle;
}

/**
 * The composition root: one object that owns the message bus, the event registry, the broker,
 * the inbound gateways, the background workers and the stores, and their lifecycle.
 *
 * - `start()` starts the gateways, then the broker, then the workers, in order. If one fails,
 *   those already started are stopped again and the error is thrown.
 * - `shutdown()` stops accepting new dispatches, waits for the dispatches in flight (and those
 *   they start) to finish, then stops the workers, the gateways and the broker — each group in
 *   reverse order. Idempotent: every call resolves when the one shutdown is done.
 * - `send` / `ask` / `publish` / `dispatch` delegate to the bus while the application accepts
 *   messages; afterwards they throw {@link ApplicationStoppedError}.
 *
 * @example
 * const app = await bootstrap({ bus, broker, gateways: [gateway], workers: [relay], stores: { eventStore } });
 * await app.send(new PlaceOrder({ customerId }));
 * app.stores.eventStore; // typed
 * process.on('SIGTERM', () => app.shutdown());
 */
export class Application<TStores extends object = Record<string, never>>
  implements CommandDispatcher
{
  readonly bus: MessageBus;
  readonly registry: EventRegistry;
  readonly broker: MessageBroker | undefined;
  readonly gateways: readonly Lifecycle[];
  readonly workers: readonly Worker[];
  readonly stores: Readonly<TStores>;
  readonly #logger: BusLogger;
  readonly #inFlight = new Set<Promise<unknown>>();
  #state: ApplicationState = 'created';
  #started: Component[] = [];
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: ApplicationOptions<TStores> = {}) {
    this.bus = options.bus ?? new MessageBus();
    this.registry = options.registry ?? new EventRegistry();
    this.broker = options.broker;
    this.gateways = Object.freeze([...(options.gateways ?? [])]);
    this.workers = Object.freeze([...(options.workers ?? [])]);
    this.stores = Object.freeze({ ...(options.stores ?? ({} as TStores)) });
    this.#logger = options.logger ?? new ConsoleBusLogger();
  }

  get state(): ApplicationState {
    return this.#state;
  }

  /** The worker called `name`, if any. */
  worker(name: string): Worker | undefined {
    return this.workers.find((w) => w.name === name);
  }

  /** Starts gateways, broker and workers, in that order. Idempotent while running. */
  start(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      return Promise.reject(new ApplicationStoppedError(this.#state));
    }
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /** Drains in-flight dispatches, then stops workers, gateways and broker. Idempotent. */
  shutdown(): Promise<void> {
    if (this.#stopping === undefined) {
      // Refuse new dispatches from this call on, not after the next tick.
      this.#state = 'stopping';
      this.#stopping = this.#shutdown();
    }
    return this.#stopping;
  }

  /** Sends a command through the bus and resolves to its typed result. */
  send<TCommand extends AnyCommand>(command: TCommand): Promise<ResultOf<TCommand>> {
    return this.#track(() => this.bus.send(command));
  }

  /** Asks a query through the bus and resolves to its typed answer. */
  ask<TQuery extends AnyQuery>(query: TQuery): Promise<ResultOf<TQuery>> {
    return this.#track(() => this.bus.ask(query));
  }

  /** Publishes domain events to their handlers through the bus. */
  publish(events: AnyDomainEvent | readonly AnyDomainEvent[]): Promise<void> {
    return this.#track(() => this.bus.publish(events));
  }

  /** Dispatches a command through the bus: result and committed events. */
  dispatch<TCommand extends AnyCommand>(
    command: TCommand,
  ): Promise<DispatchOutcome<ResultOf<TCommand>>> {
    return this.#track(() => this.bus.dispatch(command));
  }

  #track<T>(run: () => Promise<T>): Promise<T> {
    // A dispatch started by a handler of an in-flight dispatch is part of the drain, not new work.
    const nested = currentMessageContext() !== undefined;
    if ((this.#state === 'stopping' || this.#state === 'stopped') && !nested) {
      return Promise.reject(new ApplicationStoppedError(this.#state));
    }
    const promise = run();
    this.#inFlight.add(promise);
    const forget = () => {
      this.#inFlight.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  async #start(): Promise<void> {
    this.#state = 'starting';
    const components: Component[] = [
      ...this.gateways.map((part, i) => ({ name: `gateway#${i + 1}`, part })),
      ...(this.broker === undefined ? [] : [{ name: 'broker', part: this.broker }]),
      ...this.workers.map((part) => ({ name: `worker ${part.name}`, part })),
    ];
    for (const component of components) {
      try {
        await component.part.start();
        this.#started.push(component);
      } catch (error) {
        this.#logger.error(`pd: ${component.name} failed to start; stopping what was started`, {
          error,
        });
        const failures = await this.#stopStarted();
        for (const f of failures)
          this.#logger.error(`pd: ${f.component} failed to stop`, { error: f.error });
        this.#state = 'stopped';
        throw error;
      }
    }
    if (this.#state === 'starting') this.#state = 'running';
    this.#logger.info('pd: application started', {
      gateways: this.gateways.length,
      broker: this.broker?.constructor.name ?? null,
      workers: this.workers.map((w) => w.name),
      stores: Object.keys(this.stores),
    });
  }

  async #shutdown(): Promise<void> {
    // A start in progress finishes first (and, if it fails, stops what it started itself).
    if (this.#starting !== undefined) await this.#starting.catch(() => undefined);
    // Inbound first: gateways take no new deliveries and finish the ones in progress (their
    // dispatches bypass `send`, so only the gateway can wait for them). Then the application's
    // own in-flight work drains, and the workers and the broker stop last.
    const failures = await this.#stopGateways();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    failures.push(...(await this.#stopStarted()));
    this.#state = 'stopped';
    this.#logger.info('pd: application stopped', { failures: failures.length });
    if (failures.length > 0) throw new ShutdownError(failures);
  }

  /** Stops the started gateways (that are not also workers), newest first, and forgets them. */
  #stopGateways(): Promise<ShutdownFailure[]> {
    const isGateway = (c: Component) =>
      this.gateways.includes(c.part) && !this.workers.includes(c.part as Worker);
    const gateways = this.#started.filter(isGateway).reverse();
    this.#started = this.#started.filter((c) => !isGateway(c));
    return stopEach(gateways);
  }

  /** Stops what was started: workers, then gateways, then the broker, each group in reverse order. */
  #stopStarted(): Promise<ShutdownFailure[]> {
    const started = this.#started;
    this.#started = [];
    const isWorker = (c: Component) => this.workers.includes(c.part as Worker);
    const isGateway = (c: Component) => this.gateways.includes(c.part);
    return stopEach([
      ...started.filter(isWorker).reverse(),
      ...started.filter((c) => isGateway(c) && !isWorker(c)).reverse(),
      ...started.filter((c) => !isGateway(c) && !isWorker(c)),
    ]);
  }
}

/** Stops `components` one after another; a failure is collected and the others still stop. */
async function stopEach(components: readonly Component[]): Promise<ShutdownFailure[]> {
  const failures: ShutdownFailure[] = [];
  for (const component of components) {
    try {
      await component.part.stop();
    } catch (error) {
      failures.push({ component: component.name, error });
    }
  }
  return failures;
}
