import { PdError } from '@pd/ddd';
import type { StoredEvent } from '@pd/eventsourcing';

/** Every stable code a subscription error carries. */
export type SubscriptionErrorCode =
  | 'SUBSCRIPTION_HALTED'
  | 'UNKNOWN_SUBSCRIPTION'
  | 'DUPLICATE_SUBSCRIPTION_ID'
  | 'REBUILD_UNSUPPORTED';

/** Root of the errors raised by the {@link SubscriptionRunner}. */
export class SubscriptionError<
  TCode extends SubscriptionErrorCode = SubscriptionErrorCode,
> extends PdError<TCode> {
  readonly subscriptionId: string;

  constructor(code: TCode, subscriptionId: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.subscriptionId = subscriptionId;
  }
}

/**
 * A subscription stopped at a poison event: its handler kept failing on it after every retry and
 * the policy says `'stop'`. The checkpoint stays before the event, so nothing is lost: after a fix,
 * `runner.resume(id)` (or a restart) delivers it again. The last failure is the `cause`.
 *
 * @example
 * for (const report of await runner.runOnce()) if (report.halted) alert(report.halted.message);
 */
export class SubscriptionHaltedError extends SubscriptionError<'SUBSCRIPTION_HALTED'> {
  /** The event that could not be handled, as stored (before upcasting). */
  readonly event: StoredEvent;
  /** How many times it was attempted. */
  readonly attempts: number;

  constructor(subscriptionId: string, event: StoredEvent, attempts: number, cause: unknown) {
    super(
      'SUBSCRIPTION_HALTED',
      subscriptionId,
      `Subscription ${subscriptionId} halted at ${event.type} ${event.eventId} (position ${event.globalPosition}) after ${attempts} attempt(s): ${describe(cause)}`,
      { cause },
    );
    this.event = event;
    this.attempts = attempts;
  }
}

/** No subscription with this id was added to the runner. */
export class UnknownSubscriptionError extends SubscriptionError<'UNKNOWN_SUBSCRIPTION'> {
  constructor(subscriptionId: string) {
    super(
      'UNKNOWN_SUBSCRIPTION',
      subscriptionId,
      `No subscription "${subscriptionId}" is registered`,
    );
  }
}

/** A second subscription with an id already in use (silently replacing it would hide a bug). */
export class DuplicateSubscriptionIdError extends SubscriptionError<'DUPLICATE_SUBSCRIPTION_ID'> {
  constructor(subscriptionId: string) {
    super(
      'DUPLICATE_SUBSCRIPTION_ID',
      subscriptionId,
      `A subscription "${subscriptionId}" is already registered`,
    );
  }
}

/** `rebuild` on a subscription with no way to reset its read model. */
export class RebuildNotSupportedError extends SubscriptionError<'REBUILD_UNSUPPORTED'> {
  constructor(subscriptionId: string) {
    super(
      'REBUILD_UNSUPPORTED',
      subscriptionId,
      `Subscription "${subscriptionId}" has no reset hook: replaying onto its current state would duplicate it`,
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
