import type { SagaBatchResult, SagaManager } from './sagaManager.js';
import { SagaPollingWorker, type SagaWorkerOptions } from './sagaPollingWorker.js';

/**
 * Runs `SagaManager.recoverPendingSagas` periodically, as a `Worker` an `Application` starts and
 * stops: re-sends commands a crash or a failed dispatch left pending and finishes interrupted
 * compensations.
 *
 * @example
 * await bootstrap({ bus, workers: [new SagaRecoveryWorker(manager, { intervalMs: 5000 })] });
 */
export class SagaRecoveryWorker extends SagaPollingWorker {
  readonly #manager: SagaManager;

  constructor(manager: SagaManager, options: SagaWorkerOptions = {}) {
    super({ name: 'saga-recovery', intervalMs: 5000 }, options);
    this.#manager = manager;
  }

  protected round(limit: number): Promise<SagaBatchResult> {
    return this.#manager.recoverPendingSagas(limit);
  }
}
