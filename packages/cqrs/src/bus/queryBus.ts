import type { AnyQuery, ResultOf } from '../messages/message.js';
import { type MessageClass, typeNameOfClass } from '../messages/messageClass.js';
import { createMessageContext } from '../pipeline/messageContext.js';
import { toPromise } from '../pipeline/messagePipeline.js';
import type { PipelineBehavior } from '../pipeline/pipeline.js';
import {
  currentMessageContext,
  inheritedTracing,
  runInMessageContext,
} from '../tracing/messageContextStorage.js';
import {
  assertHandlerFunction,
  type HandlerRegistration,
  HandlerRegistry,
} from './handlerRegistry.js';
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
  readonly #handlers: HandlerRegistry<HandlerRegistration>;

  constructor(options: QueryBusOptions = {}) {
    this.#handlers = new HandlerRegistry(options.behaviors);
  }

  /** Registers the handler of one query type; a second registration throws {@link HandlerAlreadyRegisteredError}. */
  register<TQuery extends AnyQuery>(
    queryClass: MessageClass<TQuery>,
    handler: QueryHandler<NoInfer<TQuery>>,
    options: QueryRegistrationOptions = {},
  ): this {
    const typeName = typeNameOfClass(queryClass, 'QueryBus.register');
    assertHandlerFunction('QueryBus.register', typeName, handler);
    const run = handler as unknown as (query: AnyQuery) => unknown;
    this.#handlers.add({
      typeName,
      terminal: (context) => run(context.message as AnyQuery),
      behaviors: [...(options.behaviors ?? [])],
    });
    return this;
  }

  /** Adds a behaviour around every query, inside the ones added before it. */
  use(behavior: PipelineBehavior): this {
    this.#handlers.use(behavior);
    return this;
  }

  /** True when a handler is registered for the query class or type name. */
  has(query: string | { readonly typeName: string }): boolean {
    return this.#handlers.has(query);
  }

  /**
   * Runs `query` through its behaviours and handler and resolves to the answer.
   *
   * @throws NoHandlerRegisteredError when no handler is registered for the query's type.
   */
  ask<TQuery extends AnyQuery>(query: TQuery): Promise<ResultOf<TQuery>> {
    try {
      const typeName = query.queryType;
      const { pipeline } = this.#handlers.resolve(typeName);
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
      return toPromise(runInMessageContext(context, () => pipeline(context))) as Promise<
        ResultOf<TQuery>
      >;
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
