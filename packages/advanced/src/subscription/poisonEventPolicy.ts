import { ValidationError } from '@pd/ddd';

/**
 * What a subscription does with an event its handler keeps failing on. The event is attempted
 * `1 + retries` times; then `onExhausted: 'stop'` halts this subscription before the event (other
 * subscriptions go on; nothing is lost, `resume` retries it) or `'skip'` writes it to the runner's
 * dead-letter store and moves on. `run()` waits `backoffMs(n)` (through the runner's injected
 * sleep) before retry `n`; `runOnce()` never waits: each call makes one more attempt. Failures of
 * the runner's upcaster or of a subscription's `deserialize` are not retried: they cannot heal by
 * waiting. A projection reads its payloads inside `apply`, so there they count as handler failures.
 *
 * @example
 * { retries: 5, backoffMs: (n) => 200 * 2 ** (n - 1), onExhausted: 'skip' }
 */
export interface PoisonEventPolicy {
  /** Extra attempts after the first (default 3; `Infinity` retries forever). */
  readonly retries?: number;
  /** Delay in ms before retry `attempt` (1-based). Default: 100 ms doubled each time, at most 10 s. */
  readonly backoffMs?: (attempt: number) => number;
  /** What happens once the retries are spent. Default `'stop'`. */
  readonly onExhausted?: 'stop' | 'skip';
}

/** A {@link PoisonEventPolicy} with every field filled in. */
export interface ResolvedPoisonEventPolicy {
  readonly retries: number;
  readonly backoffMs: (attempt: number) => number;
  readonly onExhausted: 'stop' | 'skip';
}

const defaultBackoff = (attempt: number): number =>
  Math.min(10_000, 100 * 2 ** Math.max(0, attempt - 1));

/** Fills in defaults and validates (`retries` a non-negative integer or `Infinity`). */
export function resolvePoisonEventPolicy(
  policy: PoisonEventPolicy | undefined,
  fallback?: ResolvedPoisonEventPolicy,
): ResolvedPoisonEventPolicy {
  const retries = policy?.retries ?? fallback?.retries ?? 3;
  if (!(retries === Number.POSITIVE_INFINITY || (Number.isInteger(retries) && retries >= 0))) {
    throw ValidationError.of(
      'PoisonEventPolicy',
      'retries',
      `must be a non-negative integer or Infinity, got ${retries}`,
    );
  }
  const onExhausted = policy?.onExhausted ?? fallback?.onExhausted ?? 'stop';
  if (onExhausted !== 'stop' && onExhausted !== 'skip') {
    throw ValidationError.of(
      'PoisonEventPolicy',
      'onExhausted',
      `must be 'stop' or 'skip', got ${String(onExhausted)}`,
    );
  }
  return Object.freeze({
    retries,
    backoffMs: policy?.backoffMs ?? fallback?.backoffMs ?? defaultBackoff,
    onExhausted,
  });
}
