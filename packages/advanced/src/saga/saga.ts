import type { AnyCommand, MessageClass } from '@pd/cqrs';
import { type AnyDomainEvent, ValidationError } from '@pd/ddd';
import type { z } from 'zod';
import type { CommandTypeRegistry } from './commandTypeRegistry.js';
import { SagaConfigurationError, SagaHandlerNotFoundError } from './sagaErrors.js';
import type { SagaPruningPolicy } from './sagaPruningPolicy.js';
import { RESTORE, type SagaState } from './sagaState.js';
import { SagaStatus } from './sagaStatus.js';

/**
 * Passed as a timeout, means "the saga class's `defaultTimeout`". Omitting the timeout means the
 * same; `null` means "never expire"; a number is milliseconds.
 */
export const USE_DEFAULT_TIMEOUT: unique symbol = Symbol.for('@pd/advanced.saga.useDefaultTimeout');

/** A suspension timeout: milliseconds, `null` (never) or {@link USE_DEFAULT_TIMEOUT}. */
export type SagaTimeout = number | null | typeof USE_DEFAULT_TIMEOUT;

/** An event class a saga listens to (explicit static `typeName`). */
export type SagaEventClass<TEvent extends AnyDomainEvent = AnyDomainEvent> = MessageClass<TEvent>;

/** The imperative form of `on`: any code, using the saga's methods (`dispatch`, `complete`, …). */
export type SagaEventHandler<TEvent extends AnyDomainEvent> = (
  event: TEvent,
) => void | Promise<void>;

/** A value or a function of the event. */
export type FromEvent<TEvent, T> = T | ((event: TEvent) => T);

/**
 * What `on(EventClass, options)` does with each event of that class, in this order:
 * 1. `step` becomes the current step;
 * 2. `send(event)` is queued;
 * 3. `compensate(event)` is pushed on the compensation stack (with `compensateDescription`);
 * 4. then at most one of: `fail` (the saga fails, compensating; the command from `send` is still
 *    sent), `suspend` (with `suspendReason` and `suspendTimeout`), `complete`.
 *
 * Use `handler` instead of `send` for anything else; it combines only with `resumesFrom` and
 * `shouldResume`.
 */
export interface SagaStepOptions<TEvent extends AnyDomainEvent> {
  readonly handler?: SagaEventHandler<TEvent>;
  readonly send?: (event: TEvent) => AnyCommand;
  readonly step?: string;
  readonly compensate?: (event: TEvent) => AnyCommand;
  readonly compensateDescription?: FromEvent<TEvent, string>;
  readonly complete?: boolean;
  readonly suspend?: boolean;
  /** Default: `"Suspended at step <step>"`. */
  readonly suspendReason?: FromEvent<TEvent, string>;
  /** Default: the class's `defaultTimeout`. `null`: never expire. */
  readonly suspendTimeout?: SagaTimeout;
  readonly fail?: boolean;
  /** Default: `"Saga failed"`. A function's result is used as-is, even `""`. */
  readonly failReason?: FromEvent<TEvent, string>;
  /**
   * While the saga is suspended, this event wakes it only at these steps. Registrations union; an
   * empty list means "never". Once any event declares `resumesFrom`, events without one never wake
   * a suspended saga.
   */
  readonly resumesFrom?: string | readonly string[];
  /** While suspended, this event wakes the saga only when the predicate holds (the last one set wins). */
  readonly shouldResume?: (event: TEvent) => boolean;
}

/** Any saga. */
export type AnySaga = Saga<object>;

/** The static side of a saga class, as registries and the manager use it. */
export interface SagaClass<TSaga extends AnySaga = AnySaga> {
  new (state: SagaState<never>): TSaga;
  readonly sagaType: string;
  readonly listensTo: readonly SagaEventClass[];
  readonly defaultTimeout: number | null;
  readonly dataSchema: z.ZodType<object> | undefined;
  readonly maxRetries: number;
  readonly maxProcessedEvents: number;
  readonly maxStepHistory: number;
  readonly pruningPolicy: SagaPruningPolicy | null;
}

const HANDLER_ONLY_CONFLICTS = [
  'step',
  'compensate',
  'compensateDescription',
  'complete',
  'suspend',
  'suspendReason',
  'suspendTimeout',
  'fail',
  'failReason',
] as const;

const commandTypesOf = new WeakMap<object, CommandTypeRegistry>();

/** @internal The manager attaches its registry so a saga refuses commands it could not recover. */
export function attachCommandTypes(saga: AnySaga, registry: CommandTypeRegistry): void {
  commandTypesOf.set(saga, registry);
}

/**
 * @internal Runs `fn` all-or-nothing: if it throws, the state, the queued commands and the
 * compensation stack are put back as they were, and the error is re-thrown.
 */
export async function atomically<T>(saga: AnySaga, fn: () => Promise<T> | T): Promise<T> {
  const snapshot = saga.state.toJSON();
  const queued = saga.queuedCommandCount;
  try {
    return await fn();
  } catch (error) {
    saga.state[RESTORE](snapshot);
    saga.discardCommandsAfter(queued);
    throw error;
  }
}

/** Reads and checks the explicit `sagaType` of a saga class (an own static, non-empty string). */
export function sagaTypeOf(sagaClass: unknown): string {
  const type =
    typeof sagaClass === 'function' && Object.hasOwn(sagaClass, 'sagaType')
      ? (sagaClass as { sagaType?: unknown }).sagaType
      : undefined;
  if (typeof type !== 'string' || type.trim() === '') {
    const name = typeof sagaClass === 'function' ? sagaClass.name : String(sagaClass);
    throw new SagaConfigurationError(
      `Saga class ${name} must declare its own non-empty static sagaType (class names do not survive minification)`,
    );
  }
  return type;
}

/** @internal Validates saga data with the class's `dataSchema` (if any); throws `ValidationError`. */
export function parseSagaData(
  sagaClass: Pick<SagaClass, 'dataSchema' | 'sagaType'>,
  data: unknown,
): object {
  const schema = sagaClass.dataSchema;
  if (schema === undefined) return data as object;
  const result = schema.safeParse(data);
  if (!result.success) throw ValidationError.fromZod(`${sagaClass.sagaType} data`, result.error);
  return result.data;
}

function resolve<TEvent, T>(
  value: FromEvent<TEvent, T> | undefined,
  event: TEvent,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  return typeof value === 'function' ? (value as (event: TEvent) => T)(event) : value;
}

/**
 * A long-running process definition: which events it reacts to, which commands it sends, what
 * undoes them. A saga instance wraps one {@link SagaState}; the `SagaManager` loads it, calls
 * {@link handle}, sends the queued commands and saves the state. The saga never does I/O itself.
 *
 * Declare handlers in {@link configure} (or in a constructor after `super(state)`), with the
 * declarative form `on(Event, { send, step, compensate, complete | suspend | fail, … })` or the
 * imperative form `on(Event, (event) => { … })`.
 *
 * A handler is all-or-nothing: when it throws, its queued commands, pushed compensations and state
 * changes are discarded, and the manager then fails the saga with the error (compensating what
 * earlier steps pushed). No command of a failed handler is ever sent.
 *
 * @example
 * class OrderFulfilment extends Saga<{ orderId?: string }> {
 *   static override readonly sagaType = 'OrderFulfilment';
 *   static override readonly listensTo = [OrderPlaced, PaymentCharged];
 *   protected override configure() {
 *     this.on(OrderPlaced, {
 *       step: 'charging',
 *       send: (e) => new ChargePayment({ orderId: e.orderId, amount: e.total }),
 *       compensate: (e) => new RefundPayment({ orderId: e.orderId }),
 *     });
 *     this.on(PaymentCharged, { step: 'shipping', send: (e) => new ShipOrder({ orderId: e.orderId }), complete: true });
 *   }
 * }
 */
export abstract class Saga<TData extends object = Record<string, unknown>> {
  /** The stable name this saga's states are stored under. Every concrete saga declares its own. */
  static readonly sagaType: string = '';
  /** The event classes that start or advance this saga. */
  static readonly listensTo: readonly SagaEventClass[] = [];
  /** Suspension timeout in ms used when none is given; `null` (default) = never expire. */
  static readonly defaultTimeout: number | null = null;
  /** Validates `data` when a state is created (defaults apply), loaded or updated. */
  static readonly dataSchema: z.ZodType<object> | undefined = undefined;
  /** Recovery retries after a failed dispatch before the saga gives up (default 3). */
  static readonly maxRetries: number = 3;
  /** Processed event ids kept, oldest evicted first; 0 (default) = all. */
  static readonly maxProcessedEvents: number = 0;
  /** Steps kept in the history, newest kept; 0 (default) = all. */
  static readonly maxStepHistory: number = 0;
  /** Trims long histories; `null` (default) = never. */
  static readonly pruningPolicy: SagaPruningPolicy | null = null;

  /** The listened event classes (a copy). */
  static listenedEvents(): SagaEventClass[] {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the concrete saga class, with its own listensTo
    return [...this.listensTo];
  }

  readonly state: SagaState<TData>;
  readonly #handlers = new Map<string, SagaEventHandler<AnyDomainEvent>>();
  readonly #resumeSteps = new Map<string, Set<string>>();
  readonly #resumePredicates = new Map<string, (event: AnyDomainEvent) => boolean>();
  #commands: AnyCommand[] = [];
  #configured = false;

  constructor(state: SagaState<TData>) {
    this.state = state;
  }

  /**
   * Declares the handlers (`this.on(…)`). Called once, lazily, before the first event, resume
   * check or timeout — after the subclass's fields are initialised.
   */
  protected configure(): void {}

  /** Runs {@link configure} if it has not run yet. The registry calls it to validate a class early. */
  ensureConfigured(): this {
    if (!this.#configured) {
      this.#configured = true;
      this.configure();
    }
    return this;
  }

  get #class(): SagaClass {
    return this.constructor as SagaClass;
  }

  /** The saga's data. */
  get data(): Readonly<TData> {
    return this.state.data;
  }

  /** Merges `patch` into the data, validating with the class's `dataSchema` (throws `ValidationError`). */
  updateData(patch: Partial<TData>): void {
    this.state.setData(parseSagaData(this.#class, { ...this.state.data, ...patch }) as TData);
  }

  /**
   * Registers what this saga does with `eventClass`: an imperative handler, or the declarative
   * options ({@link SagaStepOptions}). Contradictory options throw {@link SagaConfigurationError}
   * right away. Registering a type again replaces its handler.
   */
  on<TEvent extends AnyDomainEvent>(
    eventClass: SagaEventClass<TEvent>,
    handlerOrOptions: SagaEventHandler<TEvent> | SagaStepOptions<TEvent>,
  ): this {
    const typeName = (eventClass as { typeName?: unknown } | undefined)?.typeName;
    if (typeof eventClass !== 'function' || typeof typeName !== 'string' || typeName === '') {
      throw new SagaConfigurationError('on() expects an event class with a static typeName');
    }
    const options: SagaStepOptions<TEvent> =
      typeof handlerOrOptions === 'function'
        ? { handler: handlerOrOptions }
        : (handlerOrOptions ?? {});
    validate(typeName, options);

    if (options.resumesFrom !== undefined) {
      const steps =
        typeof options.resumesFrom === 'string' ? [options.resumesFrom] : options.resumesFrom;
      const set = this.#resumeSteps.get(typeName) ?? new Set<string>();
      for (const step of steps) set.add(step);
      this.#resumeSteps.set(typeName, set);
    }
    if (options.shouldResume !== undefined) {
      this.#resumePredicates.set(
        typeName,
        options.shouldResume as (event: AnyDomainEvent) => boolean,
      );
    }
    const handler = options.handler ?? this.#mappedHandler(options);
    this.#handlers.set(typeName, handler as SagaEventHandler<AnyDomainEvent>);
    return this;
  }

  #mappedHandler<TEvent extends AnyDomainEvent>(
    options: SagaStepOptions<TEvent>,
  ): SagaEventHandler<TEvent> {
    const send = options.send as (event: TEvent) => AnyCommand;
    return (event) => {
      if (options.step !== undefined) this.state.setCurrentStep(options.step);
      this.dispatch(send(event));
      if (options.compensate !== undefined) {
        this.addCompensation(
          options.compensate(event),
          resolve(options.compensateDescription, event, ''),
        );
      }
      if (options.fail === true) {
        this.fail(resolve(options.failReason, event, 'Saga failed'), { compensate: true });
      } else if (options.suspend === true) {
        const reason = resolve(
          options.suspendReason,
          event,
          `Suspended at step ${options.step ?? 'unknown'}`,
        );
        this.suspend(
          reason,
          options.suspendTimeout === undefined ? USE_DEFAULT_TIMEOUT : options.suspendTimeout,
        );
      } else if (options.complete === true) {
        this.complete();
      }
    };
  }

  /**
   * Handles one event: ignored when the saga is terminal or compensating, or when the event id was
   * already processed. Otherwise PENDING becomes RUNNING, the handler runs (all-or-nothing), the
   * event id is remembered and a step is recorded. A handler error propagates.
   */
  async handle(event: AnyDomainEvent): Promise<void> {
    this.ensureConfigured();
    const state = this.state;
    if (state.isTerminal || state.status === SagaStatus.COMPENSATING) return;
    if (state.isEventProcessed(event.eventId)) return;
    if (state.status === SagaStatus.PENDING) state.markRunning();
    await atomically(this, () => this.handleEvent(event));
    state.markEventProcessed(event.eventId);
    state.recordStep(state.currentStep, event.eventType, { causationId: event.eventId });
  }

  /**
   * Routes an event to the handler registered for its exact type name. Override it to route
   * differently (a `switch` on `event.eventType`); an override may ignore unknown events.
   *
   * @throws SagaHandlerNotFoundError when no handler is registered for the type.
   */
  protected async handleEvent(event: AnyDomainEvent): Promise<void> {
    const handler = this.#handlers.get(event.eventType);
    if (handler === undefined)
      throw new SagaHandlerNotFoundError(this.#class.sagaType, event.eventType);
    await handler(event);
  }

  /** True when a handler is registered for the event type name. */
  handles(eventType: string): boolean {
    this.ensureConfigured();
    return this.#handlers.has(eventType);
  }

  /** Queues a command; the manager sends it after the handler returns. */
  dispatch(command: AnyCommand): void {
    this.#checkCommand(command, 'dispatch');
    this.#commands.push(command);
  }

  /** Pushes the command that undoes the current step; compensations run newest first. */
  addCompensation(command: AnyCommand, description = ''): void {
    this.#checkCommand(command, 'addCompensation');
    this.state.pushCompensation({
      commandType: command.commandType,
      data: command.toJSON() as unknown as Record<string, unknown>,
      description,
    });
  }

  #checkCommand(command: AnyCommand, where: string): void {
    if (
      typeof command !== 'object' ||
      command === null ||
      typeof command.commandType !== 'string'
    ) {
      throw new SagaConfigurationError(`${where}() expects a command`);
    }
    const registry = commandTypesOf.get(this);
    if (registry !== undefined && !registry.has(command.commandType)) {
      throw new SagaConfigurationError(
        `Command type ${command.commandType} is not registered in the CommandTypeRegistry, so it could not be rebuilt after a restart`,
      );
    }
  }

  /** Returns the queued commands and empties the queue. */
  collectCommands(): AnyCommand[] {
    const commands = this.#commands;
    this.#commands = [];
    return commands;
  }

  /** @internal */
  get queuedCommandCount(): number {
    return this.#commands.length;
  }

  /** @internal */
  discardCommandsAfter(count: number): void {
    this.#commands = this.#commands.slice(0, count);
  }

  /** Completes the saga (the compensation stack is cleared: nothing will be undone). */
  complete(): void {
    this.state.complete();
  }

  /**
   * Fails the saga. With `compensate` (default) and a non-empty stack it becomes COMPENSATING and
   * the manager sends the compensations newest first; otherwise it becomes FAILED.
   */
  fail(reason: string, options: { compensate?: boolean } = {}): void {
    if ((options.compensate ?? true) && this.state.compensationStack.length > 0) {
      this.state.startCompensation(reason);
    } else {
      this.state.fail(reason);
    }
  }

  /**
   * Suspends the saga until an event resumes it or the timeout expires (then {@link onTimeout}
   * runs). `timeout`: milliseconds, `null` = never, omitted = the class's `defaultTimeout`.
   */
  suspend(reason: string, timeout: SagaTimeout = USE_DEFAULT_TIMEOUT): void {
    const ms = timeout === USE_DEFAULT_TIMEOUT ? this.#class.defaultTimeout : timeout;
    const timeoutAt = ms === null ? null : new Date(this.state.clock.now().getTime() + ms);
    this.state.suspend(reason, timeoutAt);
  }

  /** Resumes a suspended saga (throws `SagaStateError` when it is not suspended). */
  resume(): void {
    this.state.resume();
  }

  /**
   * Whether `event` wakes this suspended saga. With `resumesFrom` declared anywhere, the event's
   * type must list the current step; then its `shouldResume` predicate, if any, decides; otherwise
   * yes. Override for other rules.
   */
  shouldResume(event: AnyDomainEvent): boolean {
    this.ensureConfigured();
    if (this.#resumeSteps.size > 0) {
      const steps = this.#resumeSteps.get(event.eventType);
      if (steps === undefined || !steps.has(this.state.currentStep)) return false;
    }
    const predicate = this.#resumePredicates.get(event.eventType);
    return predicate === undefined ? true : Boolean(predicate(event));
  }

  /**
   * Called by the manager when the suspension expired. Default: fail with compensation. Override
   * to retry, extend the suspension (`suspend` again) or resume and send something else.
   */
  async onTimeout(): Promise<void> {
    const reason = this.state.suspensionReason;
    this.fail(`Saga timed out while suspended${reason ? ` for: ${reason}` : ''}`, {
      compensate: true,
    });
  }
}

function validate<TEvent extends AnyDomainEvent>(
  typeName: string,
  options: SagaStepOptions<TEvent>,
): void {
  const fail = (message: string) => {
    throw new SagaConfigurationError(`on(${typeName}): ${message}`);
  };
  const has = (key: keyof SagaStepOptions<TEvent>) =>
    options[key] !== undefined && options[key] !== false;
  if (has('handler') && has('send')) fail("Cannot set both 'handler' and 'send'");
  if (!has('handler') && !has('send')) fail("Set either 'handler' or 'send'");
  if (has('handler')) {
    for (const key of HANDLER_ONLY_CONFLICTS) {
      if (has(key)) fail(`'${key}' only works with 'send'; a handler does it itself`);
    }
  }
  if (has('handler') && typeof options.handler !== 'function') fail("'handler' must be a function");
  if (has('send') && typeof options.send !== 'function')
    fail("'send' must be a function of the event");
  if (has('compensate') && typeof options.compensate !== 'function')
    fail("'compensate' must be a function of the event");
  if (has('complete') && has('suspend')) fail("Cannot set both 'complete' and 'suspend'");
  if (has('fail') && has('complete')) fail("Cannot set both 'fail' and 'complete'");
  if (has('fail') && has('suspend')) fail("Cannot set both 'fail' and 'suspend'");
  if (has('compensateDescription') && !has('compensate'))
    fail("'compensateDescription' needs 'compensate'");
  if ((has('suspendReason') || has('suspendTimeout')) && !has('suspend')) {
    fail("'suspendReason' and 'suspendTimeout' need 'suspend'");
  }
  if (has('failReason') && !has('fail')) fail("'failReason' needs 'fail'");
  const timeout = options.suspendTimeout;
  if (typeof timeout === 'number' && (!Number.isFinite(timeout) || timeout < 0)) {
    fail("'suspendTimeout' must be a non-negative number of milliseconds");
  }
}
