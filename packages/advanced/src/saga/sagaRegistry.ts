import type { AnySaga, SagaClass, SagaEventClass } from './saga.js';
import { sagaTypeOf } from './saga.js';
import { SagaConfigurationError } from './sagaErrors.js';
import { SagaState } from './sagaState.js';

/** Options of {@link SagaRegistry.registerSaga}. */
export interface RegisterSagaOptions {
  /** Throw when the saga listens to nothing (by default: a warning). */
  readonly strict?: boolean;
}

/** Receives the registry's warnings (default: `console.warn`). */
export type SagaRegistryWarn = (message: string, fields: Record<string, unknown>) => void;

/**
 * Which sagas react to which event types, and which class a stored `sagaType` name belongs to.
 * Keys are explicit type names (`Event.typeName`, `Saga.sagaType`), never class names.
 *
 * The manager holds the registry itself, so registrations made after the manager was built are
 * seen at once.
 *
 * @example
 * const registry = new SagaRegistry().registerSaga(OrderFulfilment, { strict: true });
 */
export class SagaRegistry {
  readonly #byEvent = new Map<string, { eventClass: SagaEventClass; sagas: SagaClass[] }>();
  readonly #byType = new Map<string, SagaClass>();
  readonly #warn: SagaRegistryWarn;

  constructor(options: { warn?: SagaRegistryWarn } = {}) {
    this.#warn = options.warn ?? ((message, fields) => console.warn(message, fields));
  }

  /**
   * Registers a saga for every event class in its `listensTo`. The class is instantiated once on a
   * throwaway state and configured, so a contradictory `on(…)` throws here, at start-up. A saga
   * that listens to nothing is registered by name only, with a warning — or, with `strict`, a
   * {@link SagaConfigurationError} (thrown after the name was registered).
   */
  registerSaga<TSaga extends AnySaga>(
    sagaClass: SagaClass<TSaga>,
    options: RegisterSagaOptions = {},
  ): this {
    this.registerType(sagaClass);
    const listened = sagaClass.listensTo ?? [];
    if (listened.length === 0) {
      const message = `Saga ${sagaClass.sagaType} listens to no event type (set static listensTo)`;
      if (options.strict === true) throw new SagaConfigurationError(message);
      this.#warn(message, { sagaType: sagaClass.sagaType });
      return this;
    }
    for (const eventClass of listened) this.register(eventClass, sagaClass);
    return this;
  }

  /** Registers `sagaClass` for one event class (idempotent) and registers its name. */
  register<TSaga extends AnySaga>(eventClass: SagaEventClass, sagaClass: SagaClass<TSaga>): this {
    const typeName = (eventClass as { typeName?: unknown } | undefined)?.typeName;
    if (typeof eventClass !== 'function' || typeof typeName !== 'string' || typeName === '') {
      throw new SagaConfigurationError(
        'SagaRegistry.register expects an event class with a static typeName',
      );
    }
    this.registerType(sagaClass);
    const entry = this.#byEvent.get(typeName) ?? { eventClass, sagas: [] };
    if (!entry.sagas.includes(sagaClass as unknown as SagaClass))
      entry.sagas.push(sagaClass as unknown as SagaClass);
    this.#byEvent.set(typeName, entry);
    return this;
  }

  /**
   * Maps the class's `sagaType` to it. Registering the same class again is a no-op; another class
   * with the same `sagaType` throws {@link SagaConfigurationError} (their states would mix).
   */
  registerType<TSaga extends AnySaga>(sagaClass: SagaClass<TSaga>): this {
    const sagaType = sagaTypeOf(sagaClass);
    const existing = this.#byType.get(sagaType);
    if (existing !== undefined && existing !== (sagaClass as unknown as SagaClass)) {
      throw new SagaConfigurationError(`Another saga class is already registered as ${sagaType}`);
    }
    if (existing === undefined) {
      // Configure a throwaway instance so a misconfigured on(…) fails now, not at the first event.
      const probe = SagaState.create({
        sagaType,
        correlationId: 'registry-probe',
        id: 'registry-probe',
      });
      new sagaClass(probe as SagaState<never>).ensureConfigured();
      this.#byType.set(sagaType, sagaClass as unknown as SagaClass);
    }
    return this;
  }

  /** The event type names at least one saga listens to. */
  get registeredEventTypes(): ReadonlySet<string> {
    return new Set(this.#byEvent.keys());
  }

  /** The event classes at least one saga listens to (one per type name). */
  eventClasses(): SagaEventClass[] {
    return [...this.#byEvent.values()].map((entry) => entry.eventClass);
  }

  /** The sagas listening to an event type (by class or type name), in registration order. */
  getSagasForEvent(type: string | { readonly typeName: string }): SagaClass[] {
    const typeName = typeof type === 'string' ? type : type.typeName;
    return [...(this.#byEvent.get(typeName)?.sagas ?? [])];
  }

  /** The class registered under a stored `sagaType`. */
  getSagaType(sagaType: string): SagaClass | undefined {
    return this.#byType.get(sagaType);
  }

  /** Forgets everything. */
  clear(): void {
    this.#byEvent.clear();
    this.#byType.clear();
  }
}
