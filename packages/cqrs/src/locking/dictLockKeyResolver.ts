import { type MessageClass, typeNameOf, typeNameOfClass } from '../messages/messageClass.js';
import type { LockKeyResolver } from './lockProvider.js';

type KeyFunction = (message: never) => readonly string[];

/**
 * A {@link LockKeyResolver} configured per message type (by exact `typeName`). Several key
 * functions for one type add up; a type with none needs no lock.
 *
 * @example
 * const keys = new DictLockKeyResolver()
 *   .register(TransferMoney, (cmd) => [`account:${cmd.from}`, `account:${cmd.to}`]);
 */
export class DictLockKeyResolver implements LockKeyResolver {
  readonly #functions = new Map<string, KeyFunction[]>();

  /** Adds a key function for messages of `messageClass`. */
  register<TMessage>(
    messageClass: MessageClass<TMessage>,
    keys: (message: TMessage) => readonly string[],
  ): this {
    const typeName = typeNameOfClass(messageClass, 'DictLockKeyResolver.register');
    const list = this.#functions.get(typeName) ?? [];
    list.push(keys as KeyFunction);
    this.#functions.set(typeName, list);
    return this;
  }

  resolve(message: unknown): readonly string[] {
    const typeName = typeNameOf(message);
    const functions = typeName === undefined ? undefined : this.#functions.get(typeName);
    if (functions === undefined) return [];
    return functions.flatMap((fn) => (fn as (m: unknown) => readonly string[])(message));
  }
}
