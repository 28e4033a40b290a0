import type { UnitOfWork } from '../uow/unitOfWork.js';

/** What kind of message a pipeline is running. */
export type MessageKind = 'command' | 'query' | 'event';

/**
 * One mutable carrier per dispatch, shared by every behaviour and the handler. Behaviours pass
 * data downstream through `metadata`.
 */
export interface MessageContext<TMessage = unknown> {
  readonly message: TMessage;
  readonly kind: MessageKind;
  /** The message's explicit type name. */
  readonly messageType: string;
  /** The unit of work of a command dispatch; `undefined` for queries and events. */
  readonly uow: UnitOfWork | undefined;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  /** `commandId` for commands, `queryId` for queries, `eventId` for events. */
  readonly messageId: string;
  /** Free-form data behaviours share with each other. */
  readonly metadata: Map<string, unknown>;
}

/** Calls the next behaviour, or the handler at the end of the chain. */
export type NextHandler = () => Promise<unknown>;

/**
 * A cross-cutting step around a handler (logging, validation, idempotency, locking, retry…).
 * Behaviours run in onion order: the first listed is the outermost. Not calling `next`
 * short-circuits, and the behaviour's return value becomes the result.
 */
export interface PipelineBehavior {
  handle(context: MessageContext, next: NextHandler): Promise<unknown>;
}
