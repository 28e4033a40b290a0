import { ValidationError } from '@pd/ddd';
import type { DeadLetterSink } from '../deadLetter/deadLetterSink.js';

/** Log the failure through the bus's logger and carry on with the next handler. */
export type EventLogPolicy = 'log';
/** Carry on with the next handler; once all have run, throw an `EventHandlingError` listing every failure. */
export type EventCollectPolicy = 'collect';

/** Hand the failure to a dead-letter sink and carry on with the next handler. */
export interface EventDeadLetterPolicy {
  readonly kind: 'deadLetter';
  readonly sink: DeadLetterSink;
}

/** What happens to a handler failure that retrying did not cure. */
export type TerminalEventErrorPolicy = EventLogPolicy | EventCollectPolicy | EventDeadLetterPolicy;

/** Run a failing handler again, up to `retries` more times, then apply `otherwise`. */
export interface EventRetryPolicy {
  readonly kind: 'retry';
  readonly retries: number;
  /** Wait before retry number `attempt` (1-based), in ms. Time passes through the bus's injected sleep. */
  readonly backoffMs: (attempt: number) => number;
  readonly otherwise: TerminalEventErrorPolicy;
}

/**
 * How a {@link MessageBus} treats an event handler that throws. Each handler runs in isolation, so
 * one failure never stops the others; the policy only decides what is done with the failure.
 * Set one per bus (`errorPolicy`) and override it per handler (`bus.on(E, h, { errorPolicy })`).
 *
 * - `'log'` — log and continue (the default);
 * - `'collect'` — continue, then throw `EventHandlingError` with every failure;
 * - {@link retry}`(n, …)` — run the handler again, then fall back to a terminal policy;
 * - {@link deadLetter}`(sink)` — park the event in a sink and continue.
 */
export type EventErrorPolicy = TerminalEventErrorPolicy | EventRetryPolicy;

/** Options of {@link retry}. */
export interface EventRetryOptions {
  /** Delay before retry `attempt` (1-based). Default: 100 ms doubled each time, capped at 10 s. */
  readonly backoffMs?: (attempt: number) => number;
  /** What to do once the retries are spent. Default `'log'`. */
  readonly otherwise?: TerminalEventErrorPolicy;
}

/**
 * An {@link EventRetryPolicy}: up to `retries` extra attempts with back-off, then `otherwise`.
 *
 * @example
 * bus.on(OrderPlaced, sendEmail, { errorPolicy: retry(3, { otherwise: deadLetter(sink) }) });
 */
export function retry(retries: number, options: EventRetryOptions = {}): EventRetryPolicy {
  if (!Number.isInteger(retries) || retries < 0) {
    throw ValidationError.of('retry', 'retries', `must be a non-negative integer, got ${retries}`);
  }
  return Object.freeze({
    kind: 'retry',
    retries,
    backoffMs: options.backoffMs ?? exponentialBackoff(100, 10_000),
    otherwise: options.otherwise ?? 'log',
  });
}

/**
 * An {@link EventDeadLetterPolicy}: failed events go to `sink` with the handler name, error and attempts.
 *
 * @example
 * new MessageBus({ errorPolicy: deadLetter(new InMemoryDeadLetterSink()) });
 */
export function deadLetter(sink: DeadLetterSink): EventDeadLetterPolicy {
  return Object.freeze({ kind: 'deadLetter', sink });
}

/** `base · 2^(attempt-1)` ms, capped at `max`: the usual back-off for retries. */
export function exponentialBackoff(base: number, max: number): (attempt: number) => number {
  return (attempt) => Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}
