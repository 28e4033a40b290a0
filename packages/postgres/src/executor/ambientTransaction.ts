import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlExecutor } from './sqlExecutor.js';

interface Ambient {
  readonly root: SqlExecutor;
  current: (SqlExecutor & { readonly isOpen: boolean }) | undefined;
}

const storage = new AsyncLocalStorage<Ambient>();

/**
 * Runs `fn` with `tx` as the ambient transaction of `root`: a store built on `root` and called
 * inside `fn` runs its statements in `tx` (the unit of work's commit chain uses this, so a
 * repository or idempotency store given the plain executor still writes in the command's
 * transaction). The returned `detach` stops it for code that runs later in the same context.
 */
export function runInTransaction<T>(
  root: SqlExecutor,
  tx: SqlExecutor & { readonly isOpen: boolean },
  fn: () => Promise<T>,
): Promise<T> {
  const ambient: Ambient = { root, current: tx };
  return storage.run(ambient, async () => {
    try {
      return await fn();
    } finally {
      ambient.current = undefined;
    }
  });
}

/** Stops the ambient transaction of the current context (after commit, hooks see no transaction). */
export function detachAmbientTransaction(): void {
  const ambient = storage.getStore();
  if (ambient !== undefined) ambient.current = undefined;
}

/** The executor a store should use now: the ambient open transaction of `executor`, else itself. */
export function resolveExecutor(executor: SqlExecutor): SqlExecutor {
  if (executor.inTransaction) return executor;
  const ambient = storage.getStore();
  const tx = ambient?.current;
  return ambient?.root === executor && tx?.isOpen === true ? tx : executor;
}
