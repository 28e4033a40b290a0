import type { MessageContext, NextHandler, PipelineBehavior } from './pipeline.js';

/** The end of a pipeline: runs the handler for the context's message. May be sync or async. */
export type TerminalHandler = (context: MessageContext) => unknown;

/**
 * A composed pipeline: behaviours around the handler as one function. It returns the handler's
 * value as is when no behaviour is async (a sync handler and no behaviours), a promise otherwise,
 * and may throw synchronously.
 *
 * @internal Used by the buses; `MessagePipeline.execute` is the public, always-async form.
 */
export type ComposedPipeline = (context: MessageContext) => unknown;

/**
 * True for a promise or any other thenable, which must be awaited; a plain value need not be (an
 * `await` of it would only cost a promise and a microtask turn).
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** `value` as a promise: a native promise is returned as is, anything else is adopted. */
export function toPromise(value: unknown): Promise<unknown> {
  return value instanceof Promise ? value : Promise.resolve(value);
}

/** Runs `fn(context)` and returns its outcome as a promise, a synchronous throw as a rejection. */
function callAsPromise(fn: ComposedPipeline, context: MessageContext): Promise<unknown> {
  try {
    return toPromise(fn(context));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Folds `behaviors` around `handler` once, at build time, so a dispatch makes no per-step async
 * frame: each level only allocates the `next` closure its behaviour receives, and the promises
 * are the ones the behaviours and the handler make themselves.
 *
 * @internal Used by the buses and {@link MessagePipeline}.
 */
export function composePipeline(
  handler: TerminalHandler,
  behaviors: readonly PipelineBehavior[],
): ComposedPipeline {
  let chain: ComposedPipeline = handler;
  for (let index = behaviors.length - 1; index >= 0; index--) {
    const behavior = behaviors[index] as PipelineBehavior;
    const inner = chain;
    chain = (context) => {
      const next: NextHandler = () => callAsPromise(inner, context);
      return behavior.handle(context, next);
    };
  }
  return chain;
}

/**
 * Runs behaviours around a handler in onion order: the first behaviour is the outermost. A
 * behaviour that does not call `next` short-circuits and its value is the result; errors from a
 * behaviour or the handler propagate. An instance is immutable and can run any number of
 * dispatches, concurrently too.
 *
 * @example
 * const pipeline = new MessagePipeline((ctx) => handler(ctx.message), [logging, validation]);
 * const result = await pipeline.execute(context);
 */
export class MessagePipeline {
  readonly behaviors: readonly PipelineBehavior[];
  readonly #run: ComposedPipeline;

  constructor(handler: TerminalHandler, behaviors: readonly PipelineBehavior[] = []) {
    this.behaviors = Object.freeze([...behaviors]);
    this.#run = composePipeline(handler, this.behaviors);
  }

  /** Runs the behaviours and then the handler for `context`; resolves to the result. */
  execute(context: MessageContext): Promise<unknown> {
    return callAsPromise(this.#run, context);
  }
}
