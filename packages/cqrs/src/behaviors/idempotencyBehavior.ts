import { CommandInFlightError } from '../errors/cqrsErrors.js';
import type { ProcessedCommandStore } from '../idempotency/processedCommandStore.js';
import type { MessageContext, NextHandler, PipelineBehavior } from '../pipeline/pipeline.js';

/**
 * Runs each command id at most once. A repeat of a committed command returns the first result
 * without calling the handler; a repeat that arrives while the first is still running is rejected
 * with {@link CommandInFlightError} (code `COMMAND_IN_FLIGHT`): it is not queued, so a caller that
 * retries later gets the cached result.
 *
 * The record is written by the unit of work's before-commit hook, in the same transaction as the
 * command's state, and the claim is released when the unit of work rolls back: a command whose
 * commit failed leaves no record and runs again when retried. Queries and events pass through.
 *
 * Place it outside the locking behaviour, so duplicates never take locks.
 *
 * @example
 * bus.use(new IdempotencyBehavior(new InMemoryProcessedCommandStore()));
 */
export class IdempotencyBehavior implements PipelineBehavior {
  readonly #store: ProcessedCommandStore;

  constructor(store: ProcessedCommandStore) {
    this.#store = store;
  }

  async handle(context: MessageContext, next: NextHandler): Promise<unknown> {
    if (context.kind !== 'command') return next();
    const store = this.#store;
    const commandId = context.messageId;
    const claim = await store.claim(commandId);
    if (claim === 'in-flight') throw new CommandInFlightError(commandId, context.messageType);
    if (claim !== 'claimed') return claim.completed;

    const uow = context.uow;
    if (uow === undefined) {
      // No unit of work to tie the record to: record after the handler, release on failure.
      try {
        const result = await next();
        await store.complete(commandId, result);
        return result;
      } catch (error) {
        await store.release(commandId);
        throw error;
      }
    }
    uow.onCompletion((outcome) =>
      outcome === 'rolledBack' ? store.release(commandId) : undefined,
    );
    const result = await next();
    uow.onBeforeCommit(() => store.complete(commandId, result));
    return result;
  }
}
