import { SagaConfigurationError } from './sagaErrors.js';
import type { SagaManager, SagaPruneResult } from './sagaManager.js';
import { SagaPollingWorker, type SagaWorkerOptions } from './sagaPollingWorker.js';

/**
 * Runs `SagaManager.pruneFinished` periodically, as a `Worker` an `Application` starts and stops:
 * removes finished sagas the manager's `retention` policy lets go, a batch per round (default
 * 100), rounds back to back while they come back full, then one every `intervalMs` (default one
 * minute). Time is the manager's clock; the pause between rounds is the injected `sleep`.
 *
 * @throws SagaConfigurationError when the manager has no `retention` policy.
 *
 * @example
 * const manager = new SagaManager(repository, registry, bus, {
 *   commandTypes,
 *   retention: new MaxAgeRetentionPolicy({ maxAgeMs: 30 * 24 * 3600_000 }),
 * });
 * await bootstrap({ bus, workers: [new SagaRetentionWorker(manager)] });
 */
export class SagaRetentionWorker extends SagaPollingWorker<SagaPruneResult> {
  readonly #manager: SagaManager;

  constructor(manager: SagaManager, options: SagaWorkerOptions = {}) {
    super(
      {
        name: 'saga-retention',
        intervalMs: 60_000,
        batchSize: 100,
        done: (result) => result.removed,
      },
      options,
    );
    if (manager.retention === undefined) {
      throw new SagaConfigurationError(
        'SagaRetentionWorker needs a SagaManager with a `retention` policy (SagaManagerOptions.retention)',
      );
    }
    this.#manager = manager;
  }

  protected round(limit: number): Promise<SagaPruneResult> {
    return this.#manager.pruneFinished(limit);
  }
}
