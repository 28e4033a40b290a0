import { type MessageClass, typeNameOfClass } from '../messages/messageClass.js';
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

  async handle(context: MessageContext, next: NextHandler): Promise<unknown> {
    const validators = this.#validators.get(context.messageType);
    if (validators !== undefined) {
      for (const validate of validators)
        await (validate as MessageValidator<unknown>)(context.message);
    }
    return next();
  }
}
