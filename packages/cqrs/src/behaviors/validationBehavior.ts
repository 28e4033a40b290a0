import { type MessageClass, typeNameOfClass } from '../messages/messageClass.js';
import { isThenable, toPromise } from '../pipeline/messagePipeline.js';
import type { MessageContext, NextHandler, PipelineBehavior } from '../pipeline/pipeline.js';

/** Rejects a message by throwing (sync or async). Its return value is ignored. */
export type MessageValidator<TMessage> = (message: TMessage) => void | Promise<void>;

/**
 * Runs validators registered for the message's exact type (by `typeName`), in registration
 * order, before the handler. The first validator that throws stops the chain: later validators
 * and the handler do not run, and the error propagates. Use it for rules beyond the message's own
 * schema (which its constructor already enforces), e.g. "the customer exists".
 *
 * @example
 * const validation = new ValidationBehavior()
 *   .register(PlaceOrder, async (cmd) => { if (!(await customers.exists(cmd.customerId))) throw new UnknownCustomer() });
 */
export class ValidationBehavior implements PipelineBehavior {
  readonly #validators = new Map<string, MessageValidator<never>[]>();

  /** Adds a validator for messages of `messageClass`. */
  register<TMessage>(
    messageClass: MessageClass<TMessage>,
    validator: MessageValidator<TMessage>,
  ): this {
    const typeName = typeNameOfClass(messageClass, 'ValidationBehavior.register');
    const list = this.#validators.get(typeName) ?? [];
    list.push(validator as MessageValidator<never>);
    this.#validators.set(typeName, list);
    return this;
  }

  handle(context: MessageContext, next: NextHandler): Promise<unknown> {
    try {
      const validators = this.#validators.get(context.messageType);
      if (validators !== undefined) {
        for (let index = 0; index < validators.length; index++) {
          const pending = (validators[index] as MessageValidator<unknown>)(context.message);
          // Sync validators (the common case) cost no promise; from the first async one on, wait.
          if (isThenable(pending))
            return this.#continue(pending, validators, index + 1, context, next);
        }
      }
      return toPromise(next());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #continue(
    pending: PromiseLike<unknown>,
    validators: readonly MessageValidator<never>[],
    from: number,
    context: MessageContext,
    next: NextHandler,
  ): Promise<unknown> {
    await pending;
    for (let index = from; index < validators.length; index++)
      await (validators[index] as MessageValidator<unknown>)(context.message);
    return next();
  }
}
