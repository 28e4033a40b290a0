import type { MessageContext, NextHandler, PipelineBehavior } from './pipeline.js';

/** The end of a pipeline: runs the handler for the context's message. May be sync or async. */
export type TerminalHandler = (context: MessageContext) => unknown;

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
  readonly #handler: TerminalHandler;

  constructor(handler: TerminalHandler, behaviors: readonly PipelineBehavior[] = []) {
    this.#handler = handler;
    this.behaviors = Object.freeze([...behaviors]);
  }

  /** Runs the behaviours and then the handler for `context`; resolves to the result. */
  execute(context: MessageContext): Promise<unknown> {
    const behaviors = this.behaviors;
    const handler = this.#handler;
    const step = async (index: number): Promise<unknown> => {
      const behavior = behaviors[index];
      if (behavior === undefined) return handler(context);
      const next: NextHandler = () => step(index + 1);
      return behavior.handle(context, next);
    };
    return step(0);
  }
}
