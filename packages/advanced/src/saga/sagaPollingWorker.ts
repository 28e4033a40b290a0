import { PollingWorker, type Sleep, type Worker } from '@pd/bus';
import { ValidationError } from '@pd/ddd';
import { ConsoleSagaLogger, type SagaLogger } from './sagaLogger.js';
import type { SagaBatchResult } from './sagaManager.js';

/**
 * Options of the saga workers ({@link SagaTimeoutWorker}, {@link SagaRecoveryWorker},
 * {@link SagaRetentionWorker}).
 */
export interface SagaWorkerOptions {
  /** The worker's name in an `Application` (default `'saga-timeouts'` / `'saga-recovery'` / `'saga-retention'`). */
  readonly name?: string;
  /** Pause between rounds when the last round was not full, in ms (default 1000 / 5000 / 60000). */
  readonly intervalMs?: number;
  /** Sagas per round (default 10; 100 for retention). A full round is followed at once by another. */
  readonly batchSize?: number;
  /** How the worker waits (default: real timers). Inject one to drive it in tests. */
  readonly sleep?: Sleep;
  /** Default: a {@link ConsoleSagaLogger}. */
  readonly logger?: SagaLogger;
}

/** @internal What the saga workers share: options, batch size and a {@link PollingWorker} loop. */
export abstract class SagaPollingWorker<TResult = SagaBatchResult> implements Worker {
  readonly name: string;
  readonly #batchSize: number;
  readonly #poller: PollingWorker<TResult>;

  /** `done`: how many sagas a round worked on (default: `processed.length` of a batch result). */
  protected constructor(
    defaults: {
      name: string;
      intervalMs: number;
      batchSize?: number;
      done?: (result: TResult) => number;
    },
    options: SagaWorkerOptions,
  ) {
    this.name = options.name ?? defaults.name;
    const intervalMs = nonNegative('intervalMs', options.intervalMs ?? defaults.intervalMs);
    this.#batchSize = nonNegative('batchSize', options.batchSize ?? defaults.batchSize ?? 10, 1);
    const done =
      defaults.done ?? ((result: TResult) => (result as SagaBatchResult).processed.length);
    const logger = options.logger ?? new ConsoleSagaLogger();
    this.#poller = new PollingWorker({
      name: this.name,
      runOnce: () => this.runOnce(),
      intervalMs,
      // A full round suggests more is due: run again at once instead of pausing.
      hasMore: (result) => done(result) >= this.#batchSize,
      sleep: options.sleep,
      onRoundError: (error) =>
        logger.error('Saga worker round failed', { worker: this.name, error }),
    });
  }

  /** One round of work, never sleeping. */
  runOnce(): Promise<TResult> {
    return this.round(this.#batchSize);
  }

  protected abstract round(limit: number): Promise<TResult>;

  /** Starts polling in the background; does nothing if already running or already stopped. */
  start(): void {
    this.#poller.start();
  }

  /** Stops polling and waits for the round in progress. Safe before `start()` (it then never runs) and twice. */
  stop(): Promise<void> {
    return this.#poller.stop();
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#poller.running;
  }
}

function nonNegative(field: string, value: number, min = 0): number {
  if (!Number.isInteger(value) || value < min) {
    throw ValidationError.of('SagaWorker', field, `must be an integer >= ${min}`);
  }
  return value;
}
