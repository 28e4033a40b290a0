import { ValidationError } from '@pd/ddd';
import { HandlerAlreadyRegisteredError, NoHandlerRegisteredError } from '../errors/cqrsErrors.js';
import type { AnyQuery, ResultOf } from '../messages/message.js';
import { type MessageClass, typeNameOfClass } from '../messages/messageClass.js';
import { createMessageContext } from '../pipeline/messageContext.js';
import { MessagePipeline } from '../pipeline/messagePipeline.js';
import type { PipelineBehavior } from '../pipeline/pipeline.js';
import {
  currentMessageContext,
  inheritedTracing,
  runInMessageContext,
} from '../tracing/messageContextStorage.js';
import type { QueryHandler } from './handlers.js';

/** Options of {@link QueryBus}. */
export interface QueryBusOptions {
  /** Behaviours around every query, outermost first (same as calling {@link QueryBus.use}). */
  readonly behaviors?: readonly PipelineBehavior[];
}

/** Options of {@link QueryBus.register}. */
export interface QueryRegistrationOptions {
  /** Behaviours for this query type, inside the bus-wide ones, outermost first. */
  readonly behaviors?: readonly PipelineBehavior[];
}

interface Registration {
  readonly handler: (query: AnyQuery) => unknown;
  readonly behaviors: readonly PipelineBehavior[];
  pipeline: MessagePipeline | undefined;
  pipelineVersion: number;
}

/**
 * Answers queries: one handler per query type (by `typeName`), behaviours around it, no unit of
 * work. The answer is typed from the query class.
 *
 * Unlike the command bus, a handler's error reaches the caller **unwrapped**: a query changes
 * nothing, so there is nothing to roll back and no command to report.
 *
 * @example
 * queries.register(GetOrder, (q) => views.get(q.orderId));
 * const view = await queries.ask(new GetOrder({ orderId })); // OrderView | undefined
 */
export class QueryBus {
  readonly #registrations = new Map<string, Registration>();
  readonly #global: PipelineBehavior[];
  #globalVersion = 0;

  constructor(options: QueryBusOptions = {}) {
    this.#global = [...(options.behaviors ?? [])];
  }

  /** Registers the handler of one query type; a second registration throws {@link HandlerAlreadyRegisteredError}. */
  register<TQuery extends AnyQuery>(
    queryClass: MessageClass<TQuery>,
    handler: QueryHandler<NoInfer<TQuery>>,
    options: QueryRegistrationOptions = {},
  ): this {
    const typeName = typeNameOfClass(queryClass, 'QueryBus.register');
    if (typeof handler !== 'function') {
      throw ValidationError.of(
        'QueryBus.register',
        'handler',
        `the handler of ${typeName} must be a function`,
      );
    }
    if (this.#registrations.has(typeName)) throw new HandlerAlreadyRegisteredError(typeName);
    this.#registrations.set(typeName, {
      handler: handler as unknown as Registration['handler'],
      behaviors: [...(options.behaviors ?? [])],
      pipeline: undefined,
      pipelineVersion: -1,
    });
    return this;
  }

  /** Adds a behaviour around every query, inside the ones added before it. */
  use(behavior: PipelineBehavior): this {
    this.#global.push(behavior);
    this.#globalVersion++;
    return this;
  }

  /** True when a handler is registered for the query class or type name. */
  has(query: string | { readonly typeName: string }): boolean {
    return this.#registrations.has(typeof query === 'string' ? query : query.typeName);
  }

  /**
   * Runs `query` through its behaviours and handler and resolves to the answer.
   *
   * @throws NoHandlerRegisteredError when no handler is registered for the query's type.
   */
  async ask<TQuery extends AnyQuery>(query: TQuery): Promise<ResultOf<TQuery>> {
    const typeName = query.queryType;
    const registration = this.#registrations.get(typeName);
    if (registration === undefined) throw new NoHandlerRegisteredError(typeName);
    if (
      registration.pipeline === undefined ||
      registration.pipelineVersion !== this.#globalVersion
    ) {
      const handler = registration.handler;
      registration.pipeline = new MessagePipeline(
        (context) => handler(context.message as AnyQuery),
        [...this.#global, ...registration.behaviors],
      );
      registration.pipelineVersion = this.#globalVersion;
    }
    const ambient = currentMessageContext();
    const inherited = inheritedTracing(ambient);
    const context = createMessageContext({
      message: query,
      kind: 'query',
      messageType: typeName,
      messageId: query.queryId,
      correlationId: inherited.correlationId ?? query.queryId,
      causationId: inherited.causationId ?? query.queryId,
    });
    const pipeline = registration.pipeline;
    return (await runInMessageContext(context, () =>
      pipeline.execute(context),
    )) as ResultOf<TQuery>;
  }
}
