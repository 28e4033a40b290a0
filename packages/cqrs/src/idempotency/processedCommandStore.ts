/** A command that ran to a committed end, with the result its handler returned. */
export interface CompletedCommand {
  readonly completed: unknown;
}

/**
 * What {@link ProcessedCommandStore.claim} found: `'claimed'` (the caller now owns the id and must
 * later `complete` or `release` it), `'in-flight'` (another dispatch owns it) or the result of an
 * earlier committed run.
 */
export type ClaimResult = 'claimed' | 'in-flight' | CompletedCommand;

/**
 * Remembers which commands ran, so a redelivered command returns its first result instead of
 * running twice. Used by `IdempotencyBehavior`:
 *
 * 1. `claim(id)` before the handler: atomically marks the id in flight, or reports that it is in
 *    flight or done.
 * 2. `complete(id, result)` from the unit of work's before-commit hook, so a transactional store
 *    writes the record in the same transaction as the command's state.
 * 3. `release(id)` when the unit of work rolled back: the claim and anything this run wrote go.
 *
 * A persistent store should let stale claims expire (a process that died mid-command never
 * releases its claim).
 */
export interface ProcessedCommandStore {
  /** The completed record of `commandId`, or `undefined` (unknown or only in flight). */
  get(commandId: string): Promise<CompletedCommand | undefined>;
  /** Atomically claims `commandId` for one dispatch. */
  claim(commandId: string): Promise<ClaimResult>;
  /** Records that `commandId` completed with `result` (the claim becomes a completed record). */
  complete(commandId: string, result: unknown): Promise<void>;
  /** Drops the claim (and any record) of `commandId` so it can run again. */
  release(commandId: string): Promise<void>;
  /** True when `commandId` has a completed record. */
  contains(commandId: string): Promise<boolean>;
}

type Entry =
  | { readonly state: 'in-flight' }
  | { readonly state: 'completed'; readonly result: unknown };

/** Entries are never mutated, so every claim shares this one. */
const IN_FLIGHT: Entry = Object.freeze({ state: 'in-flight' });

/**
 * A {@link ProcessedCommandStore} in a `Map`: for tests and single-process applications. Records
 * are kept for the life of the store. Results are stored by reference, not copied.
 */
export class InMemoryProcessedCommandStore implements ProcessedCommandStore {
  readonly #entries = new Map<string, Entry>();

  async get(commandId: string): Promise<CompletedCommand | undefined> {
    const entry = this.#entries.get(commandId);
    return entry?.state === 'completed' ? { completed: entry.result } : undefined;
  }

  async claim(commandId: string): Promise<ClaimResult> {
    const entry = this.#entries.get(commandId);
    if (entry === undefined) {
      this.#entries.set(commandId, IN_FLIGHT);
      return 'claimed';
    }
    return entry.state === 'completed' ? { completed: entry.result } : 'in-flight';
  }

  async complete(commandId: string, result: unknown): Promise<void> {
    this.#entries.set(commandId, { state: 'completed', result });
  }

  async release(commandId: string): Promise<void> {
    this.#entries.delete(commandId);
  }

  async contains(commandId: string): Promise<boolean> {
    return this.#entries.get(commandId)?.state === 'completed';
  }

  /** Number of claimed or completed command ids. */
  get size(): number {
    return this.#entries.size;
  }
}
