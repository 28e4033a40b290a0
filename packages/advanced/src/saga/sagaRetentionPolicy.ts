import { ValidationError } from '@pd/ddd';
import { SagaConfigurationError } from './sagaErrors.js';
import { TERMINAL_STATUSES, type TerminalSagaStatus } from './sagaStatus.js';

/**
 * Which finished sagas a repository may remove, per terminal status: a saga that finished with
 * that status goes when its last change (`updatedAt`) lies strictly before the instant. A status
 * that is absent is kept.
 */
export type FinishedSagaCutoffs = Readonly<Partial<Record<TerminalSagaStatus, Date>>>;

/**
 * Decides which finished sagas `SagaManager.pruneFinished` removes. A saga is *finished* when its
 * status is terminal (COMPLETED, FAILED, COMPENSATED) and it owes no command; running, suspended
 * and compensating sagas, and finished ones that still owe a command, are never candidates,
 * whatever the policy says.
 *
 * The policy answers per terminal status, so a repository can select the candidates itself (one
 * bounded query) instead of the manager loading every finished saga to ask about it.
 *
 * Removing a saga forgets its processed event ids: an event redelivered after that starts a new
 * saga instance for the same correlation id. Keep finished sagas longer than your transport's
 * redelivery horizon.
 *
 * @example
 * // keep failures for a year, everything else for a week
 * const retention: SagaRetentionPolicy = {
 *   removeBefore: (status, now) =>
 *     new Date(now.getTime() - (status === 'FAILED' ? 365 : 7) * 24 * 3600_000),
 * };
 */
export interface SagaRetentionPolicy {
  /**
   * Sagas that finished with `status` may be removed when their last change lies strictly before
   * the returned instant; `null` keeps them all. `now` comes from the manager's clock. Called
   * once per status and batch, synchronously: keep it cheap and pure.
   */
  removeBefore(status: TerminalSagaStatus, now: Date): Date | null;
}

/** Options of {@link MaxAgeRetentionPolicy}. */
export interface MaxAgeRetentionOptions {
  /** How long a finished saga is kept after its last change, in ms. */
  readonly maxAgeMs: number;
  /** A different age per terminal status, in ms; `null` keeps sagas with that status forever. */
  readonly byStatus?: Readonly<Partial<Record<TerminalSagaStatus, number | null>>>;
}

/**
 * Removes a finished saga once its last change is more than `maxAgeMs` old by the manager's
 * clock, optionally with another age per status (`null` for "never").
 *
 * @example
 * // completed and compensated sagas go after 30 days; failed ones stay for an operator
 * new MaxAgeRetentionPolicy({ maxAgeMs: 30 * 24 * 3600_000, byStatus: { FAILED: null } });
 */
export class MaxAgeRetentionPolicy implements SagaRetentionPolicy {
  readonly maxAgeMs: number;
  readonly byStatus: Readonly<Partial<Record<TerminalSagaStatus, number | null>>>;

  constructor(options: MaxAgeRetentionOptions) {
    this.maxAgeMs = age('maxAgeMs', options.maxAgeMs);
    const byStatus: Partial<Record<TerminalSagaStatus, number | null>> = {};
    for (const [status, ms] of Object.entries(options.byStatus ?? {})) {
      if (!(TERMINAL_STATUSES as readonly string[]).includes(status)) {
        throw ValidationError.of(
          'MaxAgeRetentionPolicy',
          `byStatus.${status}`,
          `must be one of ${TERMINAL_STATUSES.join(', ')}`,
        );
      }
      byStatus[status as TerminalSagaStatus] = ms === null ? null : age(`byStatus.${status}`, ms);
    }
    this.byStatus = Object.freeze(byStatus);
    Object.freeze(this);
  }

  removeBefore(status: TerminalSagaStatus, now: Date): Date | null {
    const ms = status in this.byStatus ? this.byStatus[status] : this.maxAgeMs;
    return ms === null || ms === undefined ? null : new Date(now.getTime() - ms);
  }
}

/**
 * Keeps every finished saga: the explicit choice of an audit trail (or of storage that is
 * cleaned up elsewhere). `pruneFinished` then removes nothing and does not query the repository.
 *
 * @example
 * new SagaManager(repository, registry, bus, { commandTypes, retention: new KeepForeverRetentionPolicy() });
 */
export class KeepForeverRetentionPolicy implements SagaRetentionPolicy {
  constructor() {
    Object.freeze(this);
  }

  removeBefore(_status: TerminalSagaStatus, _now: Date): null {
    return null;
  }
}

/** @internal What `policy` lets go at `now`; throws when it answers with something not a Date. */
export function cutoffsOf(policy: SagaRetentionPolicy, now: Date): FinishedSagaCutoffs {
  const cutoffs: Partial<Record<TerminalSagaStatus, Date>> = {};
  for (const status of TERMINAL_STATUSES) {
    const before: unknown = policy.removeBefore(status, now);
    if (before === null) continue;
    if (!(before instanceof Date) || Number.isNaN(before.getTime())) {
      throw new SagaConfigurationError(
        `Saga retention policy answered ${String(before)} for ${status}: expected a valid Date or null`,
      );
    }
    cutoffs[status] = before;
  }
  return Object.freeze(cutoffs);
}

function age(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw ValidationError.of(
      'MaxAgeRetentionPolicy',
      field,
      `${field} must be a non-negative integer (ms)`,
    );
  }
  return value;
}
