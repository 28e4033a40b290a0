import { type AcquireOptions, InMemoryLockProvider } from '@pd/cqrs';

/** One lock event on a {@link FakeLockProvider}. */
export interface LockEvent {
  readonly type: 'acquired' | 'released' | 'timedOut';
  readonly key: string;
}

/**
 * The cqrs {@link InMemoryLockProvider} (FIFO waiters, independent keys, timeouts, not
 * re-entrant, `LockNotHeldError` on a stray release) that records when each key was acquired,
 * released or timed out, in order.
 *
 * @example
 * const locks = new FakeLockProvider();
 * bus.use(new AggregateLockingBehavior(locks, resolver));
 * await bus.send(cmd);
 * locks.acquired; // ['Order-1']
 * locks.released; // ['Order-1']
 */
export class FakeLockProvider extends InMemoryLockProvider {
  readonly #events: LockEvent[] = [];

  override async acquire(key: string, options?: AcquireOptions): Promise<void> {
    try {
      await super.acquire(key, options);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'LOCK_TIMEOUT') {
        this.#events.push(Object.freeze({ type: 'timedOut', key }));
      }
      throw error;
    }
    this.#events.push(Object.freeze({ type: 'acquired', key }));
  }

  override async release(key: string): Promise<void> {
    // Recorded before the key is handed on, so the next holder's 'acquired' comes after it.
    const event: LockEvent = Object.freeze({ type: 'released', key });
    this.#events.push(event);
    try {
      await super.release(key);
    } catch (error) {
      this.#events.splice(this.#events.lastIndexOf(event), 1);
      throw error;
    }
  }

  /** Every acquire, release and timeout, in order. */
  get events(): readonly LockEvent[] {
    return [...this.#events];
  }

  /** Keys in the order they were acquired. */
  get acquired(): readonly string[] {
    return this.#events.filter((e) => e.type === 'acquired').map((e) => e.key);
  }

  /** Keys in the order they were released. */
  get released(): readonly string[] {
    return this.#events.filter((e) => e.type === 'released').map((e) => e.key);
  }
}
