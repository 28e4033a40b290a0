import { type ClaimResult, InMemoryProcessedCommandStore } from '@pd/cqrs';

/** One call that changed or queried a claim on a {@link FakeProcessedCommandStore}. */
export type ProcessedCommandCall =
  | { readonly op: 'claim'; readonly commandId: string; readonly outcome: ClaimResult }
  | { readonly op: 'complete'; readonly commandId: string; readonly result: unknown }
  | { readonly op: 'release'; readonly commandId: string };

/**
 * The cqrs {@link InMemoryProcessedCommandStore} (claim → complete or release, in-flight
 * detection) that also records every claim, complete and release, in order.
 *
 * @example
 * const processed = new FakeProcessedCommandStore();
 * bus.use(new IdempotencyBehavior(processed));
 * await bus.send(cmd).catch(() => {});
 * processed.calls.map((c) => c.op); // ['claim', 'release']
 */
export class FakeProcessedCommandStore extends InMemoryProcessedCommandStore {
  readonly #calls: ProcessedCommandCall[] = [];

  override async claim(commandId: string): Promise<ClaimResult> {
    const outcome = await super.claim(commandId);
    this.#calls.push(Object.freeze({ op: 'claim', commandId, outcome }));
    return outcome;
  }

  override async complete(commandId: string, result: unknown): Promise<void> {
    await super.complete(commandId, result);
    this.#calls.push(Object.freeze({ op: 'complete', commandId, result }));
  }

  override async release(commandId: string): Promise<void> {
    await super.release(commandId);
    this.#calls.push(Object.freeze({ op: 'release', commandId }));
  }

  /** Claims, completions and releases, in order. */
  get calls(): readonly ProcessedCommandCall[] {
    return [...this.#calls];
  }
}
