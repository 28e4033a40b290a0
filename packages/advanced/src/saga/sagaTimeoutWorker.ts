import type { SagaBatchResult, SagaManager } from './sagaManager.js';
import { SagaPollingWorker, type SagaWorkerOptions } from './sagaPollingWorker.js';

/**
 * Runs `SagaManager.processTimeouts` periodically, as a `Worker` an `Application` starts and
 * stops. Time is the manager's clock; the pause between rounds is the injected `sleep`.
 *
 * @example
 * await bootstrap({ bus, workers: [new SagaTimeoutWorker(manager, { intervalMs: 1000 })] });
 */
export class SagaTimeoutWorker extends SagaPollingWorker {
  readonly #manager: SagaManager;

  constructor(manager: SagaManager, options: SagaWorkerOptions = {}) {
    super({ name: 'saga-timeouts', intervalMs: 1000 }, options);
    this.#manager = manager;
  }

  protected round(limit: number): Promise<SagaBatchResult> {
    return this.#manager.processTimeouts(limit);
  }
}
