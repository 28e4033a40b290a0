import type { AnyDomainEvent } from '@pd/ddd';
import type { AnyCommand, AnyQuery, ResultOf } from '../messages/message.js';
import type { UnitOfWork } from '../uow/unitOfWork.js';

/**
 * Handles one command type inside the unit of work the bus gives it. It must not commit or roll
 * back. May be sync or async; its return type must match the command's result type.
 */
export type CommandHandler<TCommand extends AnyCommand, TUow extends UnitOfWork = UnitOfWork> = (
  command: TCommand,
  uow: TUow,
) => ResultOf<TCommand> | Promise<ResultOf<TCommand>>;

/** Answers one query type. May be sync or async. */
export type QueryHandler<TQuery extends AnyQuery> = (
  query: TQuery,
) => ResultOf<TQuery> | Promise<ResultOf<TQuery>>;

/** Reacts to one domain event type. Many may be registered per type. */
export type EventHandler<TEvent extends AnyDomainEvent = AnyDomainEvent> = (
  event: TEvent,
) => void | Promise<void>;

/** What a command dispatch produced: the result and the committed, stamped events. */
export interface DispatchOutcome<TResult> {
  readonly result: TResult;
  readonly events: readonly AnyDomainEvent[];
}

/**
 * Anything that can run a command and report its committed events: a `CommandBus`, a
 * `MessageBus`. Sagas and gateways depend on this, not on a concrete bus.
 */
export interface CommandDispatcher {
  dispatch<TCommand extends AnyCommand>(
    command: TCommand,
  ): Promise<DispatchOutcome<ResultOf<TCommand>>>;
}
