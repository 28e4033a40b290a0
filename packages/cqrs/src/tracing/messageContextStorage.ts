import { AsyncLocalStorage } from 'node:async_hooks';
import type { MessageContext } from '../pipeline/pipeline.js';

const storage = new AsyncLocalStorage<MessageContext>();

/**
 * The context of the dispatch in progress (command, query or event), across `await`s, or
 * `undefined` outside any dispatch. Buses read it so that a message sent from inside a handler
 * joins the same correlation chain and names the triggering message as its cause.
 *
 * @example
 * const ctx = currentMessageContext();
 * logger.info('charging', { correlationId: ctx?.correlationId });
 */
export function currentMessageContext(): MessageContext | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` with `context` as the ambient message context. The command and query buses call it
 * around each dispatch; `@pd/bus` calls it around each event handler.
 */
export function runInMessageContext<T>(context: MessageContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The tracing ids a new message started under `ambient` inherits. */
export interface InheritedTracing {
  readonly correlationId: string | null;
  readonly causationId: string | null;
}

/**
 * The correlation and causation ids a message created inside `ambient` should carry: the ambient
 * correlation id (or, for a root event without one, the ambient message id) and, as cause, the
 * ambient message id. Outside any dispatch both are `null`.
 */
export function inheritedTracing(
  ambient: MessageContext | undefined = storage.getStore(),
): InheritedTracing {
  if (ambient === undefined) return { correlationId: null, causationId: null };
  return {
    correlationId: ambient.correlationId ?? ambient.messageId,
    causationId: ambient.messageId,
  };
}
