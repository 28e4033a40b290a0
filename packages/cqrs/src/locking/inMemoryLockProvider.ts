import { ValidationError } from '@pd/ddd';
import { LockNotHeldError, LockTimeoutError } from '../errors/cqrsErrors.js';
import type { AcquireOptions, LockProvider } from './lockProvider.js';

interface Waiter {
  readonly grant: () => void;
}

/** Options of {@link InMemoryLockProvider}. */
export interface InMemoryLockProviderOptions {
  /** Timeout for `acquire` calls that name none. Default: wait forever. */
  readonly defaultTimeoutMs?: number;
}

/**
 * A {@link LockProvider} for one process. Waiters on a key are served first come, first served;
 * different keys are independent; a key is forgotten as soon as nobody holds or awaits it, so
 * memory does not grow with the number of keys ever locked.
 *
 * @example
 * const locks = new InMemoryLockProvider({ defaultTimeoutMs: 5_000 });
 */
export class InMemoryLockProvider implements LockProvider {
  /** Held keys → their waiters in arrival order. */
  readonly #held = new Map<string, Waiter[]>();
  readonly #defaultTimeoutMs: number | undefined;

  constructor(options: InMemoryLockProviderOptions = {}) {
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
  }

  acquire(key: string, options: AcquireOptions = {}): Promise<void> {
    if (typeof key !== 'string' || key === '') {
      return Promise.reject(
        ValidationError.of('LockProvider.acquire', 'key', 'a lock key must be a non-empty string'),
      );
    }
    const queue = this.#held.get(key);
    if (queue === undefined) {
      this.#held.set(key, []);
      return Promise.resolve();
    }
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = {
        grant: () => {
          if (timer !== undefined) clearTimeout(timer);
          resolve();
        },
      };
      queue.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(new LockTimeoutError(key, timeoutMs));
        }, timeoutMs);
      }
    });
  }

  async release(key: string): Promise<void> {
    const queue = this.#held.get(key);
    if (queue === undefined) throw new LockNotHeldError(key);
    const next = queue.shift();
    if (next === undefined) this.#held.delete(key);
    else next.grant();
  }

  /** True while somebody holds `key`. */
  isLocked(key: string): boolean {
    return this.#held.has(key);
  }

  /** Number of keys held right now. */
  get size(): number {
    return this.#held.size;
  }
}
