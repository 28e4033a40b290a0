import { ValidationError } from '@pd/ddd';
import { CommandExecutionError } from '../errors/cqrsErrors.js';
import type { AnyCommand, ResultOf } from '../messages/message.js';
import { type MessageClass, typeNameOfClass } from '../messages/messageClass.js';
import { createMessageContext } from '../pipeline/messageContext.js';
import { type ComposedPipeline, isThenable, toPromise } from '../pipeline/messagePipeline.js';
import type { MessageContext, PipelineBehavior } from '../pipeline/pipeline.js';
import type { RetryPolicy } from '../retry/retryPolicy.js';
import {
  currentMessageContext,
  inheritedTracing,
  runInMessageContext,
} from '../tracing/messageContextStorage.js';
import type { UnitOfWork } from '../uow/unitOfWork.js';
import {
  assertHandlerFunction,
  type HandlerRegistration,
  HandlerRegistry,
  type ResolvedHandler,
} from './handlerRegistry.js';
import type { CommandDispatcher, CommandHandler, DispatchOutcome } from './handlers.js';

/** Options of {@link CommandBus}. */
export interface CommandBusOptions {
  /** Behaviours around every command, outermost first (same as calling {@link CommandBus.use}). */
  readonly behaviors?: readonly PipelineBehavior[];
  /** Retry policy for registrations that name none. Default: no retry. */
  readonly retry?: RetryPolicy;
}

/** Options of {@link CommandBus.register}. */
export interface CommandRegistrationOptions<TUow extends UnitOfWork = UnitOfWork> {
  /** Makes a fresh unit of work for each dispatch (and each retry attempt). */
  readonly uow: () => TUow;
  /** Behaviours for this command type, inside the bus-wide ones, outermost first. */
  readonly behaviors?: readonly PipelineBehavior[];
  /** Re-runs the command in a fresh unit of work on a retryable failure (see `retryOnConcurrency`). */
  readonly retry?: RetryPolicy;
}

interface Registration extends HandlerRegistration {
  readonly uow: () => UnitOfWork;
  readonly retry: RetryPolicy | undefined;
}

class AttemptFailure {
  constructor(
    readonly error: unknown,
    readonly rollbackError: unknown,
  ) {}
}

/**
 * Runs each command through its behaviours and handler inside a unit of work that the bus owns:
 * a fresh one per dispatch, begun with the command's tracing ids, committed when the handler
 * returns, rolled back exactly once on any failure (handler, behaviour or commit). The result is
 * typed from the command class.
 *
 * Routing is by the command class's explicit `typeName`. A command sent from inside another
 * dispatch inherits its correlation id and names it as the cause.
 *
 * @example
 * const bus = new CommandBus().use(new LoggingBehavior());
 * bus.register(PlaceOrder, async (cmd, uow) => {
 *   const order = Order.place(cmd.customerId);
 *   await uow.orders.save(order);
 *   return { orderId: order.id };
 * }, { uow: () => new ShopUnitOfWork() });
 * const { orderId } = await bus.send(new PlaceOrder({ customerId })); // typed
 */
export class CommandBus implements CommandDispatcher {
  readonly #handlers: HandlerRegistry<Registration>;
  readonly #retry: RetryPolicy | undefined;

  constructor(options: CommandBusOptions = {}) {
    this.#handlers = new HandlerRegistry(options.behaviors);
    this.#retry = options.retry;
  }

  /**
   * Registers the handler of one command type. Throws {@link HandlerAlreadyRegisteredError} when
   * the type (by `typeName`) already has one. The handler's return type must match the command's
   * result type.
   */
  register<TCommand extends AnyCommand, TUow extends UnitOfWork>(
    commandClass: MessageClass<TCommand>,
    handler: CommandHandler<NoInfer<TCommand>, NoInfer<TUow>>,
    options: CommandRegistrationOptions<TUow>,
  ): this {
    const typeName = typeNameOfClass(commandClass, 'CommandBus.register');
    assertHandlerFunction('CommandBus.register', typeName, handler);
    if (typeof options?.uow !== 'function') {
      throw ValidationError.of(
        'CommandBus.register',
        'uow',
        `${typeName} needs a unit-of-work factory`,
      );
    }
    const run = handler as unknown as (command: AnyCommand, uow: UnitOfWork) => unknown;
    this.#handlers.add({
      typeName,
      terminal: (context) => run(context.message as AnyCommand, context.uow as UnitOfWork),
      behaviors: [...(options.behaviors ?? [])],
      uow: options.uow,
      retry: options.retry,
    });
    return this;
  }

  /** Adds a behaviour around every command, inside the ones added before it. */
  use(behavior: PipelineBehavior): this {
    this.#handlers.use(behavior);
    return this;
  }

  /** True when a handler is registered for the command class or type name. */
  has(command: string | { readonly typeName: string }): boolean {
    return this.#handlers.has(command);
  }

  /** Runs `command` and resolves to its handler's result. */
  send<TCommand extends AnyCommand>(command: TCommand): Promise<ResultOf<TCommand>> {
    try {
      const outcome = toPromise(this.dispatch(command)) as Promise<DispatchOutcome<unknown>>;
      return outcome.then(resultOf) as Promise<ResultOf<TCommand>>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Runs `command` and resolves to its result and the events its unit of work committed (stamped
   * with the command's tracing ids).
   *
   * @throws NoHandlerRegisteredError when no handler is registered (before any unit of work).
   * @throws CommandExecutionError wrapping any other failure, after the rollback.
   */
  dispatch<TCommand extends AnyCommand>(
    command: TCommand,
  ): Promise<DispatchOutcome<ResultOf<TCommand>>> {
    let resolved: ResolvedHandler<Registration>;
    let traced: AnyCommand;
    try {
      resolved = this.#handlers.resolve(command.commandType);
      traced = withAmbientTracing(command);
    } catch (error) {
      return Promise.reject(error);
    }
    const { registration, pipeline } = resolved;
    // The first attempt is the fast path: retries and error wrapping only run after a failure.
    return this.#attempt(registration, pipeline, traced).then(undefined, (failure: unknown) =>
      this.#afterFailure(registration, pipeline, traced, failure as AttemptFailure),
    ) as Promise<DispatchOutcome<ResultOf<TCommand>>>;
  }

  /** Retries per the policy after failed attempt(s), or throws the {@link CommandExecutionError}. */
  async #afterFailure(
    registration: Registration,
    pipeline: ComposedPipeline,
    command: AnyCommand,
    firstFailure: AttemptFailure,
  ): Promise<DispatchOutcome<unknown>> {
    const retry = registration.retry ?? this.#retry;
    let failure = firstFailure;
    for (let attempt = 1; ; attempt++) {
      const { error, rollbackError } = failure;
      if (retry !== undefined && attempt < retry.maxAttempts && retry.shouldRetry(error, attempt)) {
        const delay = retry.backoffMs(attempt);
        if (delay > 0) await retry.sleep(delay);
        try {
          return await this.#attempt(registration, pipeline, command);
        } catch (next) {
          failure = next as AttemptFailure;
          continue;
        }
      }
      throw new CommandExecutionError(command, error, { attempts: attempt, rollbackError });
    }
  }

  #attempt(
    registration: Registration,
    pipeline: ComposedPipeline,
    command: AnyCommand,
  ): Promise<DispatchOutcome<unknown>> {
    let uow: UnitOfWork;
    try {
      uow = registration.uow();
    } catch (error) {
      return Promise.reject(new AttemptFailure(error, undefined));
    }
    const correlationId = command.correlationId ?? command.commandId;
    const causationId = command.causationId ?? command.commandId;
    const context = createMessageContext({
      message: command,
      kind: 'command',
      messageType: registration.typeName,
      messageId: command.commandId,
      correlationId,
      causationId,
      uow,
    });
    return runInMessageContext(context, () => runInUnitOfWork(uow, pipeline, context));
  }
}

/** Runs one attempt inside the ambient context: begin, pipeline, commit; rollback on any failure. */
async function runInUnitOfWork(
  uow: UnitOfWork,
  pipeline: ComposedPipeline,
  context: MessageContext,
): Promise<DispatchOutcome<unknown>> {
  try {
    await uow.begin({
      commandId: context.messageId,
      correlationId: context.correlationId,
      causationId: context.causationId,
    });
    // A sync handler behind sync behaviours returns its value: no promise turn to wait for.
    let result = pipeline(context);
    if (isThenable(result)) result = await result;
    await uow.commit();
    return { result, events: uow.collectEvents() };
  } catch (error) {
    let rollbackError: unknown;
    try {
      await uow.rollback();
    } catch (e) {
      rollbackError = e;
    }
    throw new AttemptFailure(error, rollbackError);
  }
}

function resultOf(outcome: DispatchOutcome<unknown>): unknown {
  return outcome.result;
}

/**
 * The command with the tracing ids it inherits from the dispatch in progress. Ids the command
 * already carries win; outside any dispatch the command is returned unchanged.
 */
function withAmbientTracing<TCommand extends AnyCommand>(command: TCommand): TCommand {
  const ambient = currentMessageContext();
  if (ambient === undefined) return command;
  if (command.correlationId !== null && command.causationId !== null) return command;
  const inherited = inheritedTracing(ambient);
  return command.withTracing({
    correlationId: command.correlationId ?? inherited.correlationId,
    causationId: command.causationId ?? inherited.causationId,
  });
}
