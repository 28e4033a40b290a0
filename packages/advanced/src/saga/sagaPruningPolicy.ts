import { ValidationError } from '@pd/ddd';
import type { StepRecord } from './sagaRecords.js';
import { SagaStatus } from './sagaStatus.js';

/** What a pruning policy may look at: a read-only view of a `SagaState`. */
export interface PrunableSagaState {
  readonly sagaType: string;
  readonly status: SagaStatus;
  readonly isTerminal: boolean;
  readonly stepHistory: readonly StepRecord[];
  readonly processedEventIds: readonly string[];
}

/**
 * Decides when a long-running saga's history is trimmed. Evaluated synchronously by
 * `SagaState.recordStep` after each step; when it answers true the state keeps only the last
 * `keepLastNSteps` steps and (unless `keepLastNEvents` is `null`) the newest `keepLastNEvents`
 * processed event ids.
 *
 * Trimming processed event ids shortens the duplicate-detection window: keep enough of them to
 * cover your transport's redelivery horizon.
 */
export interface SagaPruningPolicy {
  readonly keepLastNSteps: number;
  readonly keepLastNEvents: number | null;
  /** `sagaType` lets one policy treat saga types differently. */
  shouldPrune(sagaType: string, state: PrunableSagaState): boolean;
}

/** Options of {@link StepThresholdPruningPolicy}. */
export interface StepThresholdPruningOptions {
  /** Prune once the history holds this many steps (0: whenever it holds any). Default 50. */
  readonly stepThreshold?: number;
  /** Steps kept after pruning. Default 10. */
  readonly keepLastNSteps?: number;
  /** Processed event ids kept after pruning; `null` (default) leaves them alone. */
  readonly keepLastNEvents?: number | null;
}

/**
 * Prunes when the step history reaches a threshold. Never prunes a saga that is COMPENSATING,
 * SUSPENDED or terminal: their history is what an operator reads to understand them.
 *
 * @example
 * // threshold 5, keep 2: recording step_0 … step_5 prunes at the fifth step (down to
 * // [step_3, step_4]) and then appends step_5 → [step_3, step_4, step_5]
 * class OrderSaga extends Saga { static override readonly pruningPolicy =
 *   new StepThresholdPruningPolicy({ stepThreshold: 5, keepLastNSteps: 2 }) }
 */
export class StepThresholdPruningPolicy implements SagaPruningPolicy {
  readonly stepThreshold: number;
  readonly keepLastNSteps: number;
  readonly keepLastNEvents: number | null;

  constructor(options: StepThresholdPruningOptions = {}) {
    this.stepThreshold = nonNegative('stepThreshold', options.stepThreshold ?? 50);
    this.keepLastNSteps = nonNegative('keepLastNSteps', options.keepLastNSteps ?? 10);
    const events = options.keepLastNEvents ?? null;
    this.keepLastNEvents = events === null ? null : nonNegative('keepLastNEvents', events);
    Object.freeze(this);
  }

  shouldPrune(_sagaType: string, state: PrunableSagaState): boolean {
    if (
      state.isTerminal ||
      state.status === SagaStatus.COMPENSATING ||
      state.status === SagaStatus.SUSPENDED
    ) {
      return false;
    }
    if (this.stepThreshold === 0) return state.stepHistory.length > 0;
    return state.stepHistory.length >= this.stepThreshold;
  }
}

function nonNegative(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw ValidationError.of(
      'StepThresholdPruningPolicy',
      field,
      `${field} must be a non-negative integer`,
    );
  }
  return value;
}
