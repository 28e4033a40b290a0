import { CqrsError } from '@pd/cqrs';

/** Every stable code a saga error carries. */
export type SagaErrorCode =
  | 'SAGA'
  | 'SAGA_STATE'
  | 'SAGA_CONFIGURATION'
  | 'SAGA_HANDLER_NOT_FOUND'
  | 'SAGA_PROCESSING';

/**
 * Root of the errors raised by sagas (a `CqrsError`, so `isPdError(e, 'SAGA_STATE')` and the other
 * code guards work across package copies).
 */
export class SagaError<TCode extends SagaErrorCode = SagaErrorCode> extends CqrsError<TCode> {
  constructor(message: string, options?: { cause?: unknown; code?: TCode }) {
    super(message, { code: (options?.code ?? 'SAGA') as TCode, cause: options?.cause });
  }
}

/**
 * A transition the saga state machine does not allow: completing a FAILED saga, suspending a
 * COMPLETED one, resuming one that is not suspended. `from` is the status the saga was in,
 * `transition` what was attempted.
 *
 * @example
 * try { saga.complete() } catch (e) { if (isPdError(e, 'SAGA_STATE')) … }
 */
export class SagaStateError extends SagaError<'SAGA_STATE'> {
  readonly sagaId: string;
  readonly from: string;
  readonly transition: string;

  constructor(sagaId: string, from: string, transition: string) {
    super(`Saga ${sagaId} cannot ${transition} while ${from}`, { code: 'SAGA_STATE' });
    this.sagaId = sagaId;
    this.from = from;
    this.transition = transition;
  }
}

/**
 * A saga, saga registry or command-type registry is misconfigured. Raised when the definition is
 * made (`on(…)` with contradictory options, a class without `sagaType`, two classes with one type
 * name), so the mistake shows up at start-up rather than mid-process.
 */
export class SagaConfigurationError extends SagaError<'SAGA_CONFIGURATION'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: 'SAGA_CONFIGURATION', cause: options?.cause });
  }
}

/** A saga received an event type it has no handler for (it listens to it but never called `on`). */
export class SagaHandlerNotFoundError extends SagaError<'SAGA_HANDLER_NOT_FOUND'> {
  readonly sagaType: string;
  readonly eventType: string;

  constructor(sagaType: string, eventType: string) {
    super(`Saga ${sagaType} has no handler for ${eventType}`, { code: 'SAGA_HANDLER_NOT_FOUND' });
    this.sagaType = sagaType;
    this.eventType = eventType;
  }
}

/** One saga that did not process an event cleanly, as listed by {@link SagaProcessingError}. */
export interface SagaFailure {
  readonly sagaType: string;
  /** The saga's id when it was found or created, else `undefined`. */
  readonly sagaId: string | undefined;
  readonly correlationId: string;
  /** The event being processed, or `undefined` for recovery and timeout work. */
  readonly eventId: string | undefined;
  readonly error: unknown;
}

/**
 * Raised by `SagaManager.handle` under the `'throw'` error policy once every saga has had its turn:
 * it lists each failure, so nothing is swallowed and one saga's failure does not stop the others.
 * The first failure's error is also the ES2022 `cause`.
 */
export class SagaProcessingError extends SagaError<'SAGA_PROCESSING'> {
  readonly failures: readonly SagaFailure[];

  constructor(failures: readonly SagaFailure[]) {
    const list = failures
      .map(
        (f) =>
          `${f.sagaType} (${f.correlationId}): ${f.error instanceof Error ? f.error.message : String(f.error)}`,
      )
      .join('; ');
    super(`${failures.length} saga(s) failed: ${list}`, {
      code: 'SAGA_PROCESSING',
      cause: failures[0]?.error,
    });
    this.failures = Object.freeze([...failures]);
  }
}
