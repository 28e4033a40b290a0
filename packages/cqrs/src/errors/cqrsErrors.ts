import { DomainError, isPdError, type PdError } from '@pd/ddd';

/** Root of the errors raised by the application layer (buses, pipeline, unit of work). */
export class CqrsError<TCode extends string = 'CQRS'> extends DomainError<TCode> {
  constructor(message: string, options?: { cause?: unknown; code?: TCode }) {
    super(message, { code: (options?.code ?? 'CQRS') as TCode, cause: options?.cause });
  }
}

/** A second handler was registered for a message type that has one. */
export class HandlerAlreadyRegisteredError extends CqrsError<'HANDLER_ALREADY_REGISTERED'> {
  readonly messageType: string;
  constructor(messageType: string) {
    super(`A handler is already registered for ${messageType}`, {
      code: 'HANDLER_ALREADY_REGISTERED',
    });
    this.messageType = messageType;
  }
}

/** No handler is registered for the dispatched message type. */
export class NoHandlerRegisteredError extends CqrsError<'NO_HANDLER'> {
  readonly messageType: string;
  constructor(messageType: string) {
    super(`No handler registered for ${messageType}`, { code: 'NO_HANDLER' });
    this.messageType = messageType;
  }
}

/**
 * A command failed and its unit of work was rolled back. `cause` is the original error;
 * {@link CommandExecutionError.causeCode} is its pd code when it has one, so a caller can branch
 * (`'CONCURRENCY'`, `'VALIDATION'`, a domain code) without string matching.
 */
export class CommandExecutionError extends CqrsError<'COMMAND_EXECUTION'> {
  readonly commandType: string;
  readonly commandId: string;
  readonly causeCode: string | undefined;
  /** How many times the command ran (more than 1 when a retry policy re-ran it). */
  readonly attempts: number;
  /** Set when rolling back the failed unit of work failed too; `cause` stays the original error. */
  readonly rollbackError: unknown;

  constructor(
    command: { commandType: string; commandId: string },
    cause: unknown,
    options: { attempts?: number; rollbackError?: unknown } = {},
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const attempts = options.attempts ?? 1;
    super(
      `Command ${command.commandType} (${command.commandId}) failed${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${reason}`,
      { code: 'COMMAND_EXECUTION', cause },
    );
    this.commandType = command.commandType;
    this.commandId = command.commandId;
    this.causeCode = isPdError(cause) ? (cause as PdError).code : undefined;
    this.attempts = attempts;
    this.rollbackError = options.rollbackError;
  }
}

/**
 * Another dispatch of the same command id is running right now (claimed in the
 * `ProcessedCommandStore` and not yet committed or rolled back). The duplicate is rejected rather
 * than queued: retry it later and it returns the first run's cached result.
 */
export class CommandInFlightError extends CqrsError<'COMMAND_IN_FLIGHT'> {
  readonly commandId: string;
  constructor(commandId: string, commandType?: string) {
    super(
      `Command ${commandType ?? ''}${commandType ? ' ' : ''}(${commandId}) is already being processed`,
      {
        code: 'COMMAND_IN_FLIGHT',
      },
    );
    this.commandId = commandId;
  }
}

/** A lock could not be acquired within its timeout. */
export class LockTimeoutError extends CqrsError<'LOCK_TIMEOUT'> {
  readonly key: string;
  readonly timeoutMs: number;
  constructor(key: string, timeoutMs: number) {
    super(`Timed out after ${timeoutMs} ms waiting for lock ${key}`, { code: 'LOCK_TIMEOUT' });
    this.key = key;
    this.timeoutMs = timeoutMs;
  }
}

/** A lock was released that nobody holds (a double release, or a release without acquire). */
export class LockNotHeldError extends CqrsError<'LOCK_NOT_HELD'> {
  readonly key: string;
  constructor(key: string) {
    super(`Lock ${key} is not held`, { code: 'LOCK_NOT_HELD' });
    this.key = key;
  }
}

/** A unit of work was used out of order (commit after rollback, begin twice, …). */
export class UnitOfWorkStateError extends CqrsError<'UOW_STATE'> {
  constructor(message: string) {
    super(message, { code: 'UOW_STATE' });
  }
}

/**
 * True when `error` is, or wraps (through `cause`), a pd error with `code`. Use it to recognise a
 * concurrency conflict behind a {@link CommandExecutionError}.
 *
 * @example
 * if (hasErrorCode(e, 'CONCURRENCY')) retry()
 */
export function hasErrorCode(error: unknown, code: string): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
    if (isPdError(current, code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
