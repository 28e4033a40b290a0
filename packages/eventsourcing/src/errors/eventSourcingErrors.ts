import { DomainError } from '@pd/ddd';

/** The stream does not exist. */
export class StreamNotFoundError extends DomainError<'STREAM_NOT_FOUND'> {
  readonly streamId: string;
  constructor(streamId: string) {
    super(`Stream not found: ${streamId}`, { code: 'STREAM_NOT_FOUND' });
    this.streamId = streamId;
  }
}

/** The stream was tombstoned. */
export class StreamDeletedError extends DomainError<'STREAM_DELETED'> {
  readonly streamId: string;
  constructor(streamId: string) {
    super(`Stream was deleted: ${streamId}`, { code: 'STREAM_DELETED' });
    this.streamId = streamId;
  }
}

/** The command already appended to this stream: a retry of work that succeeded. */
export class DuplicateCommandError extends DomainError<'DUPLICATE_COMMAND'> {
  readonly streamId: string;
  readonly commandId: string;
  constructor(streamId: string, commandId: string) {
    super(`Command ${commandId} was already appended to stream ${streamId}`, {
      code: 'DUPLICATE_COMMAND',
    });
    this.streamId = streamId;
    this.commandId = commandId;
  }
}

/**
 * A stored or recorded event whose type name is not declared: the aggregate or serializer has no
 * class for it. Declare the event class (or an upcaster that renames the old type) to fix it.
 */
export class UnknownEventTypeError extends DomainError<'UNKNOWN_EVENT_TYPE'> {
  readonly eventType: string;
  /** Who was reading: an aggregate type name or `'EventSerializer'`. */
  readonly reader: string;
  constructor(eventType: string, reader: string) {
    super(`Unknown event type "${eventType}" for ${reader}: declare its event class`, {
      code: 'UNKNOWN_EVENT_TYPE',
    });
    this.eventType = eventType;
    this.reader = reader;
  }
}

/**
 * An event-sourced aggregate's state was changed outside an event: its fields change only by
 * recording an event whose `apply` handler returns the change.
 */
export class StateChangeOutsideEventError extends DomainError<'STATE_CHANGE_OUTSIDE_EVENT'> {
  readonly aggregateType: string;
  constructor(aggregateType: string, detail: string) {
    super(
      `${aggregateType} is event-sourced: ${detail}. Record an event and return the change from its apply handler.`,
      { code: 'STATE_CHANGE_OUTSIDE_EVENT' },
    );
    this.aggregateType = aggregateType;
  }
}
