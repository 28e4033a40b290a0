import { ValidationError } from '@pd/ddd';

/**
 * A message class as buses and behaviours see it: something that constructs `TMessage` and names
 * its type with an explicit static `typeName` (class names do not survive minification).
 */
export type MessageClass<TMessage> = (abstract new (
  ...args: never[]
) => TMessage) & { readonly typeName: string };

/** The explicit type name of a message instance (its class's static `typeName`). */
export function typeNameOf(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const name = (message.constructor as { typeName?: unknown } | undefined)?.typeName;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** Reads and checks the `typeName` of a class passed to a `register` method. */
export function typeNameOfClass(messageClass: unknown, where: string): string {
  const name =
    typeof messageClass === 'function'
      ? (messageClass as { typeName?: unknown }).typeName
      : undefined;
  if (typeof name !== 'string' || name === '') {
    throw ValidationError.of(
      where,
      'messageClass',
      'expected a message class with a static typeName',
    );
  }
  return name;
}
