import type { SqlExecutor } from './sqlExecutor.js';

/**
 * Internal protocol of pd's executors: run work once the current transaction has committed.
 * A transaction handle defers it to its COMMIT (and drops it on rollback); a unit of work's bound
 * executor delegates to the transaction it targets. An executor without the hook is either a
 * pool or PGlite (nothing to wait for) or a foreign transaction pd cannot see the end of.
 */
export const AFTER_COMMIT: unique symbol = Symbol('pd.afterCommit');

/** The pool (or PGlite) executor behind a transaction, for work that must run outside it. */
export const ROOT_EXECUTOR: unique symbol = Symbol('pd.rootExecutor');

interface CommitAware {
  /** False when the callback cannot be tied to a commit pd sees. */
  [AFTER_COMMIT]?(callback: () => void): boolean;
  readonly [ROOT_EXECUTOR]?: SqlExecutor;
}

/**
 * Schedules `callback` for after `executor`'s transaction commits, or runs it now when
 * `executor` is not in a transaction. Returns false (and does nothing) for a transaction that
 * does not tell pd when it ends, so the caller can fall back to a transactional alternative.
 */
export function scheduleAfterCommit(executor: SqlExecutor, callback: () => void): boolean {
  const hook = (executor as CommitAware)[AFTER_COMMIT];
  if (hook !== undefined) return hook.call(executor, callback);
  if (executor.inTransaction) return false;
  callback();
  return true;
}

/** The executor that runs statements outside any transaction of `executor`. */
export function rootExecutor(executor: SqlExecutor): SqlExecutor {
  return (executor as CommitAware)[ROOT_EXECUTOR] ?? executor;
}

/** Runs after-commit callbacks; one that throws does not stop the others. */
export function runCallbacks(callbacks: readonly (() => void)[] | undefined): void {
  if (callbacks === undefined) return;
  for (const callback of callbacks) {
    try {
      callback();
    } catch (error) {
      process.emitWarning(`pd: an after-commit callback threw: ${String(error)}`);
    }
  }
}
