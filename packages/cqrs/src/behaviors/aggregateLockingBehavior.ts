import { AsyncLocalStorage } from 'node:async_hooks';
import type { AcquireOptions, LockKeyResolver, LockProvider } from '../locking/lockProvider.js';
import type { MessageContext, NextHandler, PipelineBehavior } from '../pipeline/pipeline.js';

/** Options of {@link AggregateLockingBehavior}. */
export interface AggregateLockingOptions {
  /** Passed to every `acquire`: give up waiting after this many milliseconds. */
  readonly timeoutMs?: number;
}

/**
 * Serialises messages that touch the same aggregates. The resolver's keys are de-duplicated and
 * acquired in ascending order (so two commands locking the same pair cannot deadlock), and
 * released in reverse order.
 *
 * For a command the locks are held **until its unit of work has committed or rolled back**
 * (released from the unit of work's completion hook), so a second command on the same key cannot
 * load state the first has not committed yet. Without a unit of work (queries, events) they are
 * released when the handler returns. If an acquire fails, the keys already held are released and
 * the handler does not run.
 *
 * Re-entrant along the dispatch chain: a command that a handler sends while its own dispatch
 * holds a key does not acquire that key again (it would wait for itself); it acquires only the
 * keys it does not hold yet, and releases only those. The chain is the async context of the
 * handler (`AsyncLocalStorage`), as with the ambient correlation ids. A dispatch started by
 * fire-and-forget work that outlives the handler would still count as nested: await what a
 * handler sends. Dispatches outside the chain, concurrent or later, wait as before.
 *
 * @example
 * bus.use(new AggregateLockingBehavior(locks, new DictLockKeyResolver().register(RenameOrder, (c) => [c.orderId])));
 */
export class AggregateLockingBehavior implements PipelineBehavior {
  readonly #provider: LockProvider;
  readonly #resolver: LockKeyResolver;
  readonly #acquireOptions: AcquireOptions;
  /** The keys held by the dispatches enclosing the current one (per behaviour instance). */
  readonly #held = new AsyncLocalStorage<ReadonlySet<string>>();

  constructor(
    provider: LockProvider,
    resolver: LockKeyResolver,
    options: AggregateLockingOptions = {},
  ) {
    this.#provider = provider;
    this.#resolver = resolver;
    this.#acquireOptions = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  }

  async handle(context: MessageContext, next: NextHandler): Promise<unknown> {
    const wanted = [...new Set(this.#resolver.resolve(context.message))].sort();
    if (wanted.length === 0) return next();
    const enclosing = this.#held.getStore();
    const keys = enclosing === undefined ? wanted : wanted.filter((key) => !enclosing.has(key));
    if (keys.length === 0) return next();
    const held: string[] = [];
    try {
      for (const key of keys) {
        await this.#provider.acquire(key, this.#acquireOptions);
        held.push(key);
      }
    } catch (error) {
      // The acquire failure is what the caller needs to see; a failing release must not hide it.
      await this.#releaseAll(held).catch(() => undefined);
      throw error;
    }
    const holding = new Set(enclosing === undefined ? keys : [...enclosing, ...keys]);
    const inner = () => this.#held.run(holding, next);
    const uow = context.uow;
    if (uow !== undefined) {
      uow.onCompletion(() => this.#releaseAll(held));
      return inner();
    }
    try {
      return await inner();
    } finally {
      await this.#releaseAll(held);
    }
  }

  async #releaseAll(held: readonly string[]): Promise<void> {
    let failure: unknown;
    for (const key of [...held].reverse()) {
      try {
        await this.#provider.release(key);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
