/** Options of {@link LockProvider.acquire}. */
export interface AcquireOptions {
  /** Give up after this many milliseconds with `LockTimeoutError`. Default: wait forever. */
  readonly timeoutMs?: number;
}

/**
 * Mutual exclusion by key, e.g. one lock per aggregate. `acquire` resolves once the caller holds
 * the key; `release` hands it to the next waiter. Locks are not re-entrant: acquiring a key you
 * already hold waits for yourself.
 */
export interface LockProvider {
  acquire(key: string, options?: AcquireOptions): Promise<void>;
  /** Releases a held key. Releasing a key nobody holds throws `LockNotHeldError`. */
  release(key: string): Promise<void>;
}

/** Names the locks a message needs (usually the ids of the aggregates it changes). Sync. */
export interface LockKeyResolver {
  /** The keys to lock for `message`; an empty list means no locking. */
  resolve(message: unknown): readonly string[];
}
