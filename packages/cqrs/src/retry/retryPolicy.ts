import { ValidationError } from '@pd/ddd';
import { hasErrorCode } from '../errors/cqrsErrors.js';

/**
 * When and how the command bus re-runs a failed command. Each attempt gets a fresh unit of work and
 * runs the whole pipeline again, so a conflict found at commit (a stale version) can be retried by
 * reloading: something a behaviour inside one unit of work cannot do.
 */
export interface RetryPolicy {
  /** Total number of attempts, the first included (≥ 1). */
  readonly maxAttempts: number;
  /** Whether the failure of attempt `attempt` (1-based) is worth another attempt. */
  shouldRetry(error: unknown, attempt: number): boolean;
  /** Milliseconds to wait after failed attempt `attempt` before the next one. */
  backoffMs(attempt: number): number;
  /** Waits `ms` milliseconds (injected in tests). */
  sleep(ms: number): Promise<void>;
}

/** Options of {@link retryOnConcurrency}. */
export interface RetryOnConcurrencyOptions {
  /** Total number of attempts, the first included. */
  readonly maxAttempts: number;
  /** Wait after failed attempt `attempt` (1-based). Default: 10 ms doubled each time, at most 1 s. */
  readonly backoffMs?: (attempt: number) => number;
  /** How to wait. Default: a timer. Tests pass a function that records and resolves at once. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const timerSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * A {@link RetryPolicy} that re-runs a command when it failed with an optimistic-concurrency
 * conflict (`code === 'CONCURRENCY'`, anywhere in the `cause` chain), up to `maxAttempts` times.
 *
 * @example
 * bus.register(RenameOrder, handler, { uow, retry: retryOnConcurrency({ maxAttempts: 3 }) });
 */
export function retryOnConcurrency(options: RetryOnConcurrencyOptions): RetryPolicy {
  const { maxAttempts } = options;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw ValidationError.of('retryOnConcurrency', 'maxAttempts', 'must be an integer ≥ 1');
  }
  const backoff =
    options.backoffMs ?? ((attempt: number) => Math.min(10 * 2 ** (attempt - 1), 1000));
  return Object.freeze({
    maxAttempts,
    shouldRetry: (error: unknown) => hasErrorCode(error, 'CONCURRENCY'),
    backoffMs: backoff,
    sleep: options.sleep ?? timerSleep,
  });
}
