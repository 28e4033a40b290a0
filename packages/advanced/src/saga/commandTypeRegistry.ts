import { type AnyCommand, CommandBase, type MessageClass } from '@pd/cqrs';
import { SagaConfigurationError } from './sagaErrors.js';

/** A command class a saga may store: an explicit static `typeName` and a validating `fromJSON`. */
export type StoredCommandClass = MessageClass<AnyCommand>;

/** What {@link CommandTypeRegistry.rebuild} returns: the command, or why it could not be built. */
export type CommandRebuildResult =
  | { readonly ok: true; readonly command: AnyCommand }
  | { readonly ok: false; readonly error: string };

/**
 * Maps stable command type names to command classes, so that commands a saga stored (pending
 * commands, compensations) can be rebuilt after a restart — by name and schema, never by module
 * path or class name, which do not survive refactoring or minification.
 *
 * Register every command a saga sends or pushes as a compensation; the `SagaManager` refuses to
 * queue a command whose type is missing here (the saga fails with a `SagaConfigurationError`),
 * because it could not be recovered after a crash.
 *
 * @example
 * const commandTypes = new CommandTypeRegistry().register(ChargePayment, RefundPayment, ShipOrder);
 * const rebuilt = commandTypes.rebuild('RefundPayment', storedJson);
 * if (rebuilt.ok) await bus.dispatch(rebuilt.command);
 */
export class CommandTypeRegistry {
  readonly #classes = new Map<string, StoredCommandClass>();

  /**
   * Adds command classes. Registering a class again is a no-op; a *different* class with a type
   * name already taken throws {@link SagaConfigurationError} (two classes, one name, would make
   * stored commands ambiguous).
   */
  register(...commandClasses: readonly StoredCommandClass[]): this {
    for (const commandClass of commandClasses) {
      const typeName = (commandClass as { typeName?: unknown } | undefined)?.typeName;
      if (typeof commandClass !== 'function' || typeof typeName !== 'string' || typeName === '') {
        throw new SagaConfigurationError(
          'CommandTypeRegistry.register expects command classes with a static typeName',
        );
      }
      if (typeof (commandClass as { fromJSON?: unknown }).fromJSON !== 'function') {
        throw new SagaConfigurationError(`Command class ${typeName} has no static fromJSON`);
      }
      const existing = this.#classes.get(typeName);
      if (existing !== undefined && existing !== commandClass) {
        throw new SagaConfigurationError(
          `Another command class is already registered as ${typeName}`,
        );
      }
      this.#classes.set(typeName, commandClass);
    }
    return this;
  }

  /** True when `typeName` (or the type of `command`) is registered. */
  has(type: string | AnyCommand): boolean {
    return this.#classes.has(typeof type === 'string' ? type : type.commandType);
  }

  /** The class registered under `typeName`. */
  get(typeName: string): StoredCommandClass | undefined {
    return this.#classes.get(typeName);
  }

  /** Every registered type name, sorted. */
  typeNames(): string[] {
    return [...this.#classes.keys()].sort();
  }

  /**
   * Rebuilds a stored command from its type name and JSON form (`command.toJSON()`), validating
   * it. An unknown type or invalid data is reported as `{ ok: false, error }`, never thrown, so
   * one bad record cannot crash recovery. The stored command id is kept.
   */
  rebuild(commandType: string, data: Readonly<Record<string, unknown>>): CommandRebuildResult {
    const commandClass = this.#classes.get(commandType);
    if (commandClass === undefined) {
      return {
        ok: false,
        error: `Unknown command type ${commandType}: register it in the CommandTypeRegistry`,
      };
    }
    try {
      const command = (commandClass as unknown as { fromJSON(json: unknown): unknown }).fromJSON({
        ...data,
        type: commandType,
      });
      if (!(command instanceof CommandBase)) {
        return { ok: false, error: `${commandType}.fromJSON did not return a command` };
      }
      return { ok: true, command };
    } catch (error) {
      return {
        ok: false,
        error: `Could not rebuild ${commandType}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
}
