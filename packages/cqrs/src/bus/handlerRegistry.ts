import { ValidationError } from '@pd/ddd';
import { HandlerAlreadyRegisteredError, NoHandlerRegisteredError } from '../errors/cqrsErrors.js';
import {
  type ComposedPipeline,
  composePipeline,
  type TerminalHandler,
} from '../pipeline/messagePipeline.js';
import type { PipelineBehavior } from '../pipeline/pipeline.js';

/** What a bus keeps for one message type; buses add their own fields (unit of work, retry). */
export interface HandlerRegistration {
  readonly typeName: string;
  /** The end of the pipeline: calls the registered handler with the context's message. */
  readonly terminal: TerminalHandler;
  /** Behaviours for this type only, inside the bus-wide ones. */
  readonly behaviors: readonly PipelineBehavior[];
}

/** A registration with its composed pipeline, as {@link HandlerRegistry.resolve} returns it. */
export interface ResolvedHandler<TRegistration> {
  readonly registration: TRegistration;
  /** Bus-wide behaviours, then the type's own, then the handler; may return a plain value. */
  readonly pipeline: ComposedPipeline;
}

interface Entry<TRegistration> {
  readonly registration: TRegistration;
  pipeline: ComposedPipeline | undefined;
  pipelineVersion: number;
}

/**
 * The handler table the command and query buses share: one handler per type name, bus-wide
 * behaviours, and each type's pipeline (bus-wide behaviours outermost, then the type's own),
 * built on first use and rebuilt only after {@link HandlerRegistry.use} added a bus-wide one.
 */
export class HandlerRegistry<TRegistration extends HandlerRegistration> {
  readonly #entries = new Map<string, Entry<TRegistration>>();
  readonly #global: PipelineBehavior[];
  #globalVersion = 0;

  constructor(behaviors: readonly PipelineBehavior[] = []) {
    this.#global = [...behaviors];
  }

  /** Adds the handler of one type; throws {@link HandlerAlreadyRegisteredError} when it has one. */
  add(registration: TRegistration): void {
    const { typeName } = registration;
    if (this.#entries.has(typeName)) throw new HandlerAlreadyRegisteredError(typeName);
    this.#entries.set(typeName, { registration, pipeline: undefined, pipelineVersion: -1 });
  }

  /** Adds a bus-wide behaviour, inside the ones added before it. */
  use(behavior: PipelineBehavior): void {
    this.#global.push(behavior);
    this.#globalVersion++;
  }

  /** True when a handler is registered for the class or type name. */
  has(message: string | { readonly typeName: string }): boolean {
    return this.#entries.has(typeof message === 'string' ? message : message.typeName);
  }

  /**
   * The registration of `typeName` with its current pipeline.
   *
   * @throws NoHandlerRegisteredError when the type has no handler.
   */
  resolve(typeName: string): ResolvedHandler<TRegistration> {
    const entry = this.#entries.get(typeName);
    if (entry === undefined) throw new NoHandlerRegisteredError(typeName);
    if (entry.pipeline === undefined || entry.pipelineVersion !== this.#globalVersion) {
      entry.pipeline = composePipeline(entry.registration.terminal, [
        ...this.#global,
        ...entry.registration.behaviors,
      ]);
      entry.pipelineVersion = this.#globalVersion;
    }
    // The entry itself (its pipeline is now set): no allocation per dispatch.
    return entry as ResolvedHandler<TRegistration>;
  }
}

/** Throws a {@link ValidationError} naming `where` unless `handler` is a function. */
export function assertHandlerFunction(where: string, typeName: string, handler: unknown): void {
  if (typeof handler !== 'function') {
    throw ValidationError.of(where, 'handler', `the handler of ${typeName} must be a function`);
  }
}
