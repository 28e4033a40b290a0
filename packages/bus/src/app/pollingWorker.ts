import { type BusLogger, ConsoleBusLogger } from '../logging/logger.js';
import { type Sleep, timerSleep } from '../time/sleep.js';
import type { Worker } from './worker.js';

/** Options of {@link PollingWorker}. */
export interface PollingWorkerOptions<TResult> {
  /** The worker's name in an `Application` and in its log lines. */
  readonly name: string;
  /** One round of work. It should do what there is now and return, not wait for more. */
  readonly runOnce: () => Promise<TResult>;
  /** Pause after a round that left nothing more to do, or that failed, in ms (default 1000). */
  readonly intervalMs?: number | undefined;
  /**
   * True when a round's result says more work is waiting (a full batch, say): the next round then
   * starts at once instead of after `intervalMs`. Default: always pause.
   */
  readonly hasMore?: ((result: TResult) => boolean) | undefined;
  /** How the worker waits between rounds (default: real timers). Inject one to drive it in tests. */
  readonly sleep?: Sleep | undefined;
  /** Where a failed round is logged by default (default: a {@link ConsoleBusLogger}). */
  readonly logger?: BusLogger | undefined;
  /**
   * Reports a round that threw; the worker pauses and goes on either way. Default: an error line
   * `pd: polling worker round failed` with `{ worker, error }` on `logger`.
   */
  readonly onRoundError?: ((error: unknown) => void) | undefined;
}

/**
 * A {@link Worker} that calls `runOnce` in a loop: at once again while a round reports more work,
 * otherwise after `intervalMs`. A failing round is reported and the loop goes on, so a database
 * blip does not kill a background job. `stop()` cuts the pause short and waits for the round in
 * progress; `stop()` before `start()` means it never runs. The building block of the outbox relay
 * and the saga workers; use it for any job that polls (purging, retention, reminders).
 *
 * @example
 * const purge = new PollingWorker({
 *   name: 'purge-idempotency-keys',
 *   runOnce: () => store.purgeOlderThan(clock.now()),
 *   intervalMs: 60_000,
 * });
 * await bootstrap({ bus, workers: [purge] });
 */
export class PollingWorker<TResult = unknown> implements Worker {
  readonly name: string;
  readonly #runOnce: () => Promise<TResult>;
  readonly #intervalMs: number;
  readonly #hasMore: (result: TResult) => boolean;
  readonly #sleep: Sleep;
  readonly #onRoundError: (error: unknown) => void;
  readonly #abort = new AbortController();
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(options: PollingWorkerOptions<TResult>) {
    this.name = options.name;
    this.#runOnce = options.runOnce;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#hasMore = options.hasMore ?? (() => false);
    this.#sleep = options.sleep ?? timerSleep;
    const logger = options.logger ?? new ConsoleBusLogger();
    this.#onRoundError =
      options.onRoundError ??
      ((error) => logger.error('pd: polling worker round failed', { worker: this.name, error }));
  }

  /** One round, by hand (tests, cron); never sleeps. */
  runOnce(): Promise<TResult> {
    return this.#runOnce();
  }

  /** Starts polling in the background; does nothing if already running or already stopped. */
  start(): void {
    if (this.#stopped || this.#loop !== undefined) return;
    this.#loop = this.#run();
  }

  /** Stops polling and waits for the round in progress. Safe before `start()` (it then never runs) and twice. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    await this.#loop;
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#loop !== undefined && !this.#stopped;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let more = false;
      try {
        more = this.#hasMore(await this.#runOnce());
      } catch (error) {
        this.#onRoundError(error);
      }
      if (!more && !this.#stopped) await this.#sleep(this.#intervalMs, this.#abort.signal);
    }
  }
}
