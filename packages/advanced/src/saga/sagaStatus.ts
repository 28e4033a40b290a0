/**
 * The statuses of a saga. The values are the upper-case strings pydomain stores, so state
 * written by either library reads back in the other.
 *
 * - `PENDING`: created, no event handled yet.
 * - `RUNNING`: handling events.
 * - `SUSPENDED`: waiting (for a human, for an external answer, or for crash recovery after a
 *   failed dispatch), optionally until a timeout.
 * - `COMPENSATING`: failing; its compensation commands are being sent, newest first.
 * - `COMPLETED`, `FAILED`, `COMPENSATED`: terminal — no event, timeout or call changes them.
 */
export const SagaStatus = Object.freeze({
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  SUSPENDED: 'SUSPENDED',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  COMPENSATING: 'COMPENSATING',
  COMPENSATED: 'COMPENSATED',
} as const);

/** One of the {@link SagaStatus} values. */
export type SagaStatus = (typeof SagaStatus)[keyof typeof SagaStatus];

/** A status a saga never leaves: `COMPLETED`, `FAILED` or `COMPENSATED`. */
export type TerminalSagaStatus =
  | typeof SagaStatus.COMPLETED
  | typeof SagaStatus.FAILED
  | typeof SagaStatus.COMPENSATED;

/** Every status, in lifecycle order. */
export const SAGA_STATUSES: readonly SagaStatus[] = Object.freeze(Object.values(SagaStatus));

/** @internal The terminal statuses, in lifecycle order. */
export const TERMINAL_STATUSES: readonly TerminalSagaStatus[] = Object.freeze([
  SagaStatus.COMPLETED,
  SagaStatus.FAILED,
  SagaStatus.COMPENSATED,
]);

const TERMINAL: ReadonlySet<string> = new Set(TERMINAL_STATUSES);

/** True for `COMPLETED`, `FAILED` and `COMPENSATED`: a saga in one of them never changes again. */
export function isTerminalStatus(status: SagaStatus): status is TerminalSagaStatus {
  return TERMINAL.has(status);
}
