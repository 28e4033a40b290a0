/**
 * Serialises the work on one saga instance. The `SagaManager` runs every load → handle → save →
 * dispatch cycle of a saga inside `run(key, …)`, so two events for one saga never interleave.
 * The default {@link InProcessSagaLock} covers one process; across processes, the repository's
 * optimistic concurrency plus the manager's retry on conflict keep the state consistent, or plug
 * in a distributed lock here.
 */
export interface SagaLock {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * A {@link SagaLock} for one process: a FIFO queue per key, forgotten once idle. Not re-entrant:
 * the manager never nests runs for one key.
 */
export class InProcessSagaLock implements SagaLock {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Keys with work running or queued (for tests and diagnostics). */
  get activeKeys(): number {
    return this.#tails.size;
  }
}
