import type { UnitOfWork } from '../uow/unitOfWork.js';
import type { MessageContext, MessageKind } from './pipeline.js';

/** What {@link createMessageContext} needs to know about a dispatch. */
export interface MessageContextInit<TMessage> {
  readonly message: TMessage;
  readonly kind: MessageKind;
  readonly messageType: string;
  readonly messageId: string;
  readonly correlationId?: string | null;
  readonly causationId?: string | null;
  readonly uow?: UnitOfWork;
  readonly metadata?: Iterable<readonly [string, unknown]>;
}

/**
 * Builds the one {@link MessageContext} of a dispatch, with a fresh metadata map. Buses call it;
 * other dispatchers (the event side of `@pd/bus`, sagas) use it so every context has the same shape.
 */
export function createMessageContext<TMessage>(
  init: MessageContextInit<TMessage>,
): MessageContext<TMessage> {
  return {
    message: init.message,
    kind: init.kind,
    messageType: init.messageType,
    uow: init.uow,
    correlationId: init.correlationId ?? null,
    causationId: init.causationId ?? null,
    messageId: init.messageId,
    metadata: init.metadata === undefined ? new Map() : new Map(init.metadata),
  };
}
