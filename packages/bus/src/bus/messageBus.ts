import {
  type AnyCommand,
  type AnyQuery,
  CommandBus,
  type CommandDispatcher,
  type CommandHandler,
  type CommandRegistrationOptions,
  createMessageContext,
  currentMessageContext,
  type DispatchOutcome,
  type EventHandler,
  inheritedTracing,
  type MessageClass,
  MessagePipeline,
  type PipelineBehavior,
  QueryBus,
  type QueryHandler,
  type QueryRegistrationOptions,
  type ResultOf,
  runInMessageContext,
  type UnitOfWork,
} from '@pd/cqrs';
import { type AnyDomainEvent, type Clock, domainDefaults, ValidationError } from '@pd/ddd';
import { EventHandlingError, type HandlerFailure } from '../errors/busErrors.js';
import { type BusLogger, ConsoleBusLogger } from '../logging/logger.js';
import { type Sleep, timerSleep } from '../time/sleep.js';
import type { EventErrorPolicy, TerminalEventErrorPolicy } from './errorPolicy.js';
import { isDomainEvent } from './messageGuards.js';

/** Options of {@link MessageBus}. */
export interface MessageBusOptions {
  /** The command bus to use as-is (its behaviours, retry policy). Default: a new one. */
  readonly commandBus?: CommandBus;
  /** The query bus to use as-is. Default: a new one. */
  readonly queryBus?: QueryBus;
  /** What to do with a failing event handler (default `'log'`); handlers may override it. */
  readonly errorPolicy?: EventErrorPolicy;
  /** Receives failures under `'log'` and dead-letter sink errors. Default: a {@link ConsoleBusLogger}. */
  readonly logger?: BusLogger;
  /** Behaviours around every event handler, outermost first (inside them: the handler's own). */
  readonly eventBehaviors?: readonly PipelineBehavior[];
  /** Waits between retries of a handler (injected in tests). Default: a timer. */
  readonly sleep?: Sleep;
  /** Stamps `failedAt` on dead letters. Default: the domain defaults' clock. */
  readonly clock?: Clock;
  /**
   * Deliver a command's committed events to the handlers right after `send`/`dispatch` (default
   * `true`). Set `false` when an `OutboxRelay` delivers them to this bus instead, so each handler
   * runs once per event.
   */
  readonly deliverAfterCommit?: boolean;
}

/** Options of {@link MessageBus.on} and {@link MessageBus.onType}. */
export interface EventHandlerOptions {
  /** Name in logs, failures and dead letters. Default: the function's name, else `<Type>#<n>`. */
  readonly name?: string;
  /** Behaviours around this handler only, inside the bus-wide event behaviours. */
  readonly behaviors?: readonly PipelineBehavior[];
  /** Overrides the bus's error policy for this handler. */
  readonly errorPolicy?: EventErrorPolicy;
}

interface HandlerEntry {
  readonly name: string;
  readonly eventClass: MessageClass<AnyDomainEvent> | undefined;
  readonly pipeline: MessagePipeline;
  readonly errorPolicy: EventErrorPolicy | undefined;
}

/**
 * One facade over commands, queries and events — the application's entry point.
 *
 * - Commands go through the cqrs {@link CommandBus} (a unit of work per dispatch). After the unit
 *   of work COMMITS, its stamped events are delivered to every handler registered for their type;
 *   a failed command delivers nothing.
 * - Events are routed by their exact type name (`event.eventType`), never by class hierarchy (ADR
 *   0005). Many handlers per type run in registration order, one at a time; every handler of
 *   event N finishes before event N+1 starts.
 * - Each handler runs in isolation: one failure never stops the others. What happens to the
 *   failure is an explicit {@link EventErrorPolicy} — log, retry, dead-letter, or collect and throw
 *   {@link EventHandlingError} at the end. Never a silent swallow.
 * - Handlers run inside the ambient message context, so a command they send joins the event's
 *   correlation chain with the event as its cause.
 *
 * It implements the cqrs `CommandDispatcher`, so sagas and gateways can drive it.
 *
 * @example
 * const bus = new MessageBus({ errorPolicy: retry(2, { otherwise: 'collect' }) });
 * bus.registerCommand(PlaceOrder, placeOrder, { uow: () => new ShopUnitOfWork() });
 * bus.on(OrderPlaced, (e) => mailer.confirm(e.orderId), { name: 'confirmation-mail' });
 * const { orderId } = await bus.send(new PlaceOrder({ customerId })); // typed; mail sent after commit
 */
export class MessageBus implements CommandDispatcher {
  readonly #commands: CommandBus;
  readonly #queries: QueryBus;
  readonly #handlers = new Map<string, HandlerEntry[]>();
  readonly #errorPolicy: EventErrorPolicy;
  readonly #logger: BusLogger;
  readonly #eventBehaviors: readonly PipelineBehavior[];
  readonly #sleep: Sleep;
  readonly #clock: Clock | undefined;
  readonly #deliverAfterCommit: boolean;

  constructor(options: MessageBusOptions = {}) {
    this.#commands = options.commandBus ?? new CommandBus();
    this.#queries = options.queryBus ?? new QueryBus();
    this.#errorPolicy = options.errorPolicy ?? 'log';
    this.#logger = options.logger ?? new ConsoleBusLogger();
    this.#eventBehaviors = [...(options.eventBehaviors ?? [])];
    this.#sleep = options.sleep ?? timerSleep;
    this.#clock = options.clock;
    this.#deliverAfterCommit = options.deliverAfterCommit ?? true;
  }

  /** The command bus commands go through (to add global behaviours with `use`). */
  get commandBus(): CommandBus {
    return this.#commands;
  }

  /** The query bus queries go through. */
  get queryBus(): QueryBus {
    return this.#queries;
  }

  /**
   * Registers the one handler of a command type (see `CommandBus.register`): a fresh unit of work
   * per dispatch from `options.uow`, optional behaviours and retry policy. The handler's return
   * type must match the command's result type.
   */
  registerCommand<TCommand extends AnyCommand, TUow extends UnitOfWork>(
    commandClass: MessageClass<TCommand>,
    handler: CommandHandler<NoInfer<TCommand>, NoInfer<TUow>>,
    options: CommandRegistrationOptions<TUow>,
  ): this {
    this.#commands.register(commandClass, handler, options);
    return this;
  }

  /** Registers the one handler of a query type (see `QueryBus.register`). */
  registerQuery<TQuery extends AnyQuery>(
    queryClass: MessageClass<TQuery>,
    handler: QueryHandler<NoInfer<TQuery>>,
    options: QueryRegistrationOptions = {},
  ): this {
    this.#queries.register(queryClass, handler, options);
    return this;
  }

  /**
   * Adds a handler for the events whose type name is `eventClass.typeName`. Handlers of one type
   * run in registration order. A {@link GenericDomainEvent} of that type (read by a registry that
   * did not know the class) is rebuilt with `eventClass.fromJSON` first, so the handler always
   * gets an instance of its class.
   */
  on<TEvent extends AnyDomainEvent>(
    eventClass: MessageClass<TEvent>,
    handler: EventHandler<NoInfer<TEvent>>,
    options: EventHandlerOptions = {},
  ): this {
    const typeName = eventClass?.typeName;
    if (typeof eventClass !== 'function' || typeof typeName !== 'string' || typeName === '') {
      throw ValidationError.of(
        'MessageBus.on',
        'eventClass',
        'expected an event class with a static typeName',
      );
    }
    return this.#add(
      typeName,
      eventClass as MessageClass<AnyDomainEvent>,
      handler as EventHandler,
      options,
    );
  }

  /**
   * Adds a handler for events of type `typeName`, whatever their class — the way to handle
   * {@link GenericDomainEvent}s of types this process has no class for, or to audit every event
   * of a type.
   */
  onType(
    typeName: string,
    handler: EventHandler<AnyDomainEvent>,
    options: EventHandlerOptions = {},
  ): this {
    if (typeof typeName !== 'string' || typeName === '') {
      throw ValidationError.of(
        'MessageBus.onType',
        'typeName',
        'expected a non-empty event type name',
      );
    }
    return this.#add(typeName, undefined, handler, options);
  }

  /** Names of the handlers of `typeName` (or of an event class), in the order they run. */
  handlersOf(type: string | { readonly typeName: string }): readonly string[] {
    const typeName = typeof type === 'string' ? type : type.typeName;
    return (this.#handlers.get(typeName) ?? []).map((entry) => entry.name);
  }

  /**
   * Runs `command` and resolves to its typed result, after its committed events have been
   * delivered to their handlers.
   *
   * @throws CommandExecutionError when the command failed (nothing was committed or delivered).
   * @throws EventHandlingError when handlers failed under the `'collect'` policy (the command committed).
   */
  async send<TCommand extends AnyCommand>(command: TCommand): Promise<ResultOf<TCommand>> {
    return (await this.dispatch(command)).result;
  }

  /** Runs `query` and resolves to its typed answer. */
  ask<TQuery extends AnyQuery>(query: TQuery): Promise<ResultOf<TQuery>> {
    return this.#queries.ask(query);
  }

  /**
   * Runs `command` and resolves to its result and committed events, after delivering them (the
   * cqrs `CommandDispatcher` contract). This is what closes a saga's loop.
   */
  async dispatch<TCommand extends AnyCommand>(
    command: TCommand,
  ): Promise<DispatchOutcome<ResultOf<TCommand>>> {
    const outcome = await this.#commands.dispatch(command);
    if (this.#deliverAfterCommit && outcome.events.length > 0) {
      const failures = await this.#deliver(outcome.events);
      if (failures.length > 0) throw new EventHandlingError(failures, { outcome });
    }
    return outcome;
  }

  /**
   * Delivers events straight to their handlers: no unit of work, nothing stored. Events without
   * tracing ids published inside a dispatch join its correlation chain. Use it for events that
   * did not come from a command of this bus (an outbox relay, an inbound gateway, a test).
   *
   * @throws EventHandlingError when handlers failed under the `'collect'` policy.
   */
  async publish(events: AnyDomainEvent | readonly AnyDomainEvent[]): Promise<void> {
    const list = (Array.isArray(events) ? events : [events]) as readonly AnyDomainEvent[];
    for (const event of list) {
      if (!isDomainEvent(event)) {
        throw ValidationError.of('MessageBus.publish', 'event', 'expected a domain event');
      }
    }
    const failures = await this.#deliver(list.map(withAmbientTracing));
    if (failures.length > 0) throw new EventHandlingError(failures);
  }

  #add(
    typeName: string,
    eventClass: MessageClass<AnyDomainEvent> | undefined,
    handler: EventHandler,
    options: EventHandlerOptions,
  ): this {
    if (typeof handler !== 'function') {
      throw ValidationError.of(
        'MessageBus.on',
        'handler',
        `the handler of ${typeName} must be a function`,
      );
    }
    const entries = this.#handlers.get(typeName) ?? [];
    const name =
      options.name ?? (handler.name !== '' ? handler.name : `${typeName}#${entries.length + 1}`);
    const pipeline = new MessagePipeline(
      async (context) => {
        await handler(asInstanceOf(eventClass, context.message as AnyDomainEvent));
      },
      [...this.#eventBehaviors, ...(options.behaviors ?? [])],
    );
    entries.push({ name, eventClass, pipeline, errorPolicy: options.errorPolicy });
    this.#handlers.set(typeName, entries);
    return this;
  }

  /** Runs every handler of every event, in order; returns the failures to collect. */
  async #deliver(events: readonly AnyDomainEvent[]): Promise<HandlerFailure[]> {
    const collected: HandlerFailure[] = [];
    for (const event of events) {
      for (const entry of [...(this.#handlers.get(event.eventType) ?? [])]) {
        const failure = await this.#run(entry, event);
        if (failure !== undefined) collected.push(failure);
      }
    }
    return collected;
  }

  /** Runs one handler with its retries; settles a final failure by policy. */
  async #run(entry: HandlerEntry, event: AnyDomainEvent): Promise<HandlerFailure | undefined> {
    const policy = entry.errorPolicy ?? this.#errorPolicy;
    const retries = typeof policy === 'object' && policy.kind === 'retry' ? policy.retries : 0;
    for (let attempts = 1; ; attempts++) {
      try {
        const context = createMessageContext({
          message: event,
          kind: 'event',
          messageType: event.eventType,
          messageId: event.eventId,
          correlationId: event.correlationId,
          causationId: event.causationId,
        });
        await runInMessageContext(context, () => entry.pipeline.execute(context));
        return undefined;
      } catch (error) {
        if (attempts <= retries && typeof policy === 'object' && policy.kind === 'retry') {
          this.#logger.warn(`pd: event handler ${entry.name} failed, retrying`, {
            ...fieldsOf(entry.name, event, attempts),
            error,
          });
          await this.#sleep(policy.backoffMs(attempts));
          continue;
        }
        const terminal: TerminalEventErrorPolicy =
          typeof policy === 'object' && policy.kind === 'retry' ? policy.otherwise : policy;
        return this.#settle(terminal, { event, handlerName: entry.name, error, attempts });
      }
    }
  }

  async #settle(
    policy: TerminalEventErrorPolicy,
    failure: HandlerFailure,
  ): Promise<HandlerFailure | undefined> {
    const fields = {
      ...fieldsOf(failure.handlerName, failure.event, failure.attempts),
      error: failure.error,
    };
    if (policy === 'collect') return failure;
    if (policy === 'log') {
      this.#logger.error(`pd: event handler ${failure.handlerName} failed`, fields);
      return undefined;
    }
    try {
      await policy.sink.add({
        source: 'event-handler',
        ...failure,
        failedAt: (this.#clock ?? domainDefaults().clock).now(),
      });
      this.#logger.warn(
        `pd: event handler ${failure.handlerName} failed, event dead-lettered`,
        fields,
      );
      return undefined;
    } catch (sinkError) {
      // The sink lost it: report both, and surface the failure rather than drop it.
      this.#logger.error(
        `pd: event handler ${failure.handlerName} failed and the dead-letter sink failed too`,
        {
          ...fields,
          sinkError,
        },
      );
      return failure;
    }
  }
}

function fieldsOf(
  handlerName: string,
  event: AnyDomainEvent,
  attempts: number,
): Record<string, unknown> {
  return {
    handler: handlerName,
    eventType: event.eventType,
    eventId: event.eventId,
    correlationId: event.correlationId,
    attempts,
  };
}

/** The event with the ambient dispatch's tracing ids, when it has none of its own. */
function withAmbientTracing(event: AnyDomainEvent): AnyDomainEvent {
  const ambient = currentMessageContext();
  if (ambient === undefined || event.correlationId !== null || event.causationId !== null)
    return event;
  return event.stamp(inheritedTracing(ambient));
}

/** Exact-type routing matched by name; hand the handler an instance of its own class. */
function asInstanceOf(
  eventClass: MessageClass<AnyDomainEvent> | undefined,
  event: AnyDomainEvent,
): AnyDomainEvent {
  if (eventClass === undefined || isInstance(event, eventClass)) return event;
  const fromJSON = (eventClass as unknown as { fromJSON?: (json: unknown) => AnyDomainEvent })
    .fromJSON;
  if (typeof fromJSON !== 'function') return event;
  return fromJSON.call(eventClass, event.toJSON());
}

function isInstance(value: unknown, cls: abstract new (...args: never[]) => unknown): boolean {
  return value instanceof cls;
}
