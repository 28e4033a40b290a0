import { CqrsError, type DispatchOutcome } from '@pd/cqrs';
import type { AnyDomainEvent } from '@pd/ddd';

/** Every stable code a `@pd/bus` error carries. */
export type BusErrorCode =
  | 'EVENT_HANDLING'
  | 'DUPLICATE_TYPE_NAME'
  | 'UNKNOWN_TYPE_NAME'
  | 'UNKNOWN_TOPIC'
  | 'DUPLICATE_SUBSCRIPTION'
  | 'NOT_STARTED'
  | 'APPLICATION_STOPPED'
  | 'SHUTDOWN';

/** Root of the errors raised by `@pd/bus` (a {@link CqrsError}, so `isPdError` guards work). */
export class BusError<TCode extends BusErrorCode = BusErrorCode> extends CqrsError<TCode> {}

/** One event handler that did not succeed, with the error of its last attempt. */
export interface HandlerFailure {
  readonly event: AnyDomainEvent;
  readonly handlerName: string;
  readonly error: unknown;
  /** How many times the handler ran (more than 1 under a retry policy). */
  readonly attempts: number;
}

/**
 * Raised under the `'collect'` error policy once every handler of every event of a dispatch has
 * run: it lists each failure with its cause, so nothing is swallowed and nothing is skipped. The
 * first failure's error is also the ES2022 `cause`.
 *
 * @example
 * try { await bus.publish(event) } catch (e) {
 *   if (isPdError(e, 'EVENT_HANDLING')) for (const f of (e as EventHandlingError).failures) report(f)
 * }
 */
export class EventHandlingError extends BusError<'EVENT_HANDLING'> {
  readonly failures: readonly HandlerFailure[];
  /**
   * When the events came from a command: its (committed) outcome. The command is NOT undone by a
   * handler failure — publish-after-commit means the state change already happened.
   */
  readonly outcome: DispatchOutcome<unknown> | undefined;

  constructor(
    failures: readonly HandlerFailure[],
    options: { outcome?: DispatchOutcome<unknown> } = {},
  ) {
    const list = failures
      .map(
        (f) =>
          `${f.handlerName} on ${f.event.eventType} (${f.event.eventId}): ${describe(f.error)}`,
      )
      .join('; ');
    super(`${failures.length} event handler(s) failed: ${list}`, {
      code: 'EVENT_HANDLING',
      cause: failures[0]?.error,
    });
    this.failures = Object.freeze([...failures]);
    this.outcome = options.outcome;
  }
}

/** Two different classes claimed the same type name in an {@link EventRegistry}. */
export class DuplicateTypeNameError extends BusError<'DUPLICATE_TYPE_NAME'> {
  readonly typeName: string;
  readonly kind: 'event' | 'command';

  constructor(kind: 'event' | 'command', typeName: string) {
    super(`Another ${kind} class is already registered as "${typeName}"`, {
      code: 'DUPLICATE_TYPE_NAME',
    });
    this.typeName = typeName;
    this.kind = kind;
  }
}

/** A type name that no registered class carries (commands must be known to be rebuilt). */
export class UnknownTypeNameError extends BusError<'UNKNOWN_TYPE_NAME'> {
  readonly typeName: string;
  readonly kind: 'event' | 'command';

  constructor(kind: 'event' | 'command', typeName: string) {
    super(`No ${kind} class is registered as "${typeName}"`, { code: 'UNKNOWN_TYPE_NAME' });
    this.typeName = typeName;
    this.kind = kind;
  }
}

/** A message arrived on a topic nobody subscribed to. */
export class UnknownTopicError extends BusError<'UNKNOWN_TOPIC'> {
  readonly topic: string;

  constructor(topic: string) {
    super(`No handler is subscribed to topic "${topic}"`, { code: 'UNKNOWN_TOPIC' });
    this.topic = topic;
  }
}

/** A second handler was subscribed to a topic that has one (silently replacing it would hide a bug). */
export class DuplicateSubscriptionError extends BusError<'DUPLICATE_SUBSCRIPTION'> {
  readonly topic: string;

  constructor(topic: string) {
    super(`A handler is already subscribed to topic "${topic}"`, {
      code: 'DUPLICATE_SUBSCRIPTION',
    });
    this.topic = topic;
  }
}

/** A broker or subscriber was used before `start()` or after `stop()`. */
export class NotStartedError extends BusError<'NOT_STARTED'> {
  readonly component: string;

  constructor(component: string) {
    super(`${component} is not started`, { code: 'NOT_STARTED' });
    this.component = component;
  }
}

/** The application is shutting down or stopped and accepts no new dispatches. */
export class ApplicationStoppedError extends BusError<'APPLICATION_STOPPED'> {
  constructor(state: string) {
    super(`The application is ${state} and accepts no new messages`, {
      code: 'APPLICATION_STOPPED',
    });
  }
}

/** One component that failed to stop during {@link Application.shutdown}. */
export interface ShutdownFailure {
  readonly component: string;
  readonly error: unknown;
}

/**
 * Some components failed to stop. Shutdown still stopped every other component before throwing;
 * `failures` says which ones failed and why.
 */
export class ShutdownError extends BusError<'SHUTDOWN'> {
  readonly failures: readonly ShutdownFailure[];

  constructor(failures: readonly ShutdownFailure[]) {
    super(
      `${failures.length} component(s) failed to stop: ${failures.map((f) => `${f.component}: ${describe(f.error)}`).join('; ')}`,
      {
        code: 'SHUTDOWN',
        cause: failures[0]?.error,
      },
    );
    this.failures = Object.freeze([...failures]);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
