import type { z } from 'zod';
import type { IdGenerator } from '../identity/idGenerator.js';
import type { AnyDomainEvent } from './domainEvent.js';
import { defineEntityClass, EntityBase, type EntityClass, type EntityOptions } from './entity.js';
import type { Shape } from './internal.js';
import type { InputOf, PropsOf } from './valueObject.js';

/**
 * Base class of every aggregate root: an entity that records the domain events its command
 * methods produce. The buffer is private, not serialised, and drained with {@link pullEvents}.
 */
export abstract class AggregateRootBase<
  TId = string,
  TInput = object,
  TEvent extends AnyDomainEvent = AnyDomainEvent,
> extends EntityBase<TId, TInput> {
  #pending: TEvent[] = [];

  /**
   * Records a new domain event: applies it (see {@link applyEvent}) and buffers it until the
   * unit of work or repository pulls it. If applying throws, nothing is buffered.
   */
  protected record(event: TEvent): void {
    this.applyEvent(event);
    this.#pending.push(event);
  }

  /**
   * Hook called by {@link record} before an event is buffered. A state-based aggregate usually
   * changes its fields in the command method and leaves this empty; an aggregate that routes
   * every state change through its events (and event-sourced aggregates) implement it.
   */
  protected applyEvent(_event: TEvent): void {}

  /** Returns the recorded events in order and empties the buffer. A second call returns `[]`. */
  pullEvents(): TEvent[] {
    const events = this.#pending;
    this.#pending = [];
    return events;
  }

  /** The recorded events not pulled yet, without draining them. */
  peekEvents(): readonly TEvent[] {
    return this.#pending;
  }

  /** Drops the recorded events (for example after a failed save). */
  clearEvents(): void {
    this.#pending = [];
  }
}

/** The class returned by {@link AggregateRoot}. */
export interface AggregateRootClass<TName extends string, TShape extends Shape, TId>
  extends Omit<EntityClass<TName, TShape, TId>, never> {
  new (
    input: ConstructorParameters<EntityClass<TName, TShape, TId>>[0],
  ): AggregateRootBase<TId, InputOf<TShape>> &
    Readonly<PropsOf<TShape>> & { toJSON(): Record<string, unknown> };
}

/**
 * Defines an aggregate root class from a zod shape: an entity that guards a consistency boundary
 * and records domain events with `this.record(event)`.
 *
 * @example
 * class Order extends AggregateRoot('Order', { status: z.enum(['pending', 'placed']).default('pending') }) {
 *   place() {
 *     if (this.status !== 'pending') throw new DomainError('order is not pending');
 *     this.set({ status: 'placed' });
 *     this.record(new OrderPlaced({ orderId: this.id }));
 *   }
 * }
 */
export function AggregateRoot<TName extends string, TShape extends Shape, TId = string>(
  typeName: TName,
  shape: TShape,
  options: AggregateRootOptions<TId> = {},
): AggregateRootClass<TName, TShape, TId> {
  abstract class PlainAggregate extends AggregateRootBase<unknown> {}
  return defineEntityClass(PlainAggregate, typeName, shape, options as EntityOptions<unknown>, [
    'peekEvents',
    'clearEvents',
    'applyEvent',
  ]) as unknown as AggregateRootClass<TName, TShape, TId>;
}

/** Options of {@link AggregateRoot}. */
export interface AggregateRootOptions<TId> {
  readonly id?: z.ZodType<TId>;
  readonly idGenerator?: IdGenerator<TId>;
}

/** Any aggregate root instance. */
export type AnyAggregateRoot = AggregateRootBase<unknown, never, AnyDomainEvent>;
