import { type Sleep, timerSleep, type Worker } from '@pd/bus';
import { ValidationError } from '@pd/ddd';
import { ConsoleSagaLogger, type SagaLogger } from './sagaLogger.js';
import type { SagaBatchResult } from './sagaManager.js';

/** Options of the saga workers ({@link SagaTimeoutWorker}, {@link SagaRecoveryWorker}). */
export interface SagaWorkerOptions {
  /** The worker's name in an `Application` (default `'saga-timeouts'` / `'saga-recovery'`). */
  readonly name?: string;
  /** Pause between rounds when the last round was not full, in ms (default 1000 / 5000). */
  readonly intervalMs?: number;
  /** Sagas per round (default 10). A full round is followed at once by another. */
  readonly batchSize?: number;
  /** How the worker waits (default: real timers). Inject one to drive it in tests. */
  readonly sleep?: Sleep;
  /** Default: a {@link ConsoleSagaLogger}. */
  readonly logger?: SagaLogger;
}

/** @internal The polling loop both saga workers share. */
export abstract class SagaPollingWorker implements Worker {
  readonly name: string;
  readonly #intervalMs: number;
  readonly #batchSize: number;
  readonly #sleep: Sleep;
  readonly #logger: SagaLogger;
  readonly #abort = new AbortController();
  #stopped = false;
  #loop: Promise<void> | undefined;

  protected constructor(
    defaults: { name: string; intervalMs: number },
    options: SagaWorkerOptions,
  ) {
    this.name = options.name ?? defaults.name;
    this.#intervalMs = nonNegative('intervalMs', options.intervalMs ?? defaults.intervalMs);
    this.#batchSize = nonNegative('batchSize', options.batchSize ?? 10, 1);
    this.#sleep = options.sleep ?? timerSleep;
    this.#logger = options.logger ?? new ConsoleSagaLogger();
  }

  /** One round of work, never sleeping. */
  runOnce(): Promise<SagaBatchResult> {
    return this.round(this.#batchSize);
  }

  protected abstract round(limit: number): Promise<SagaBatchResult>;

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
      let full = false;
      try {
        const result = await this.runOnce();
        full = result.processed.length >= this.#batchSize;
      } catch (error) {
        this.#logger.error('Saga worker round failed', { worker: this.name, error });
      }
      if (!full && !this.#stopped) await this.#sleep(this.#intervalMs, this.#abort.signal);
    }
  }
}

function nonNegative(field: string, value: number, min = 0): number {
  if (!Number.isInteger(value) || value < min) {
    throw ValidationError.of('SagaWorker', field, `must be an integer >= ${min}`);
  }
  return value;
}
