import { DomainError } from '@pd/ddd';

/**
 * A stored event could not be brought to its current schema version: an upcaster threw or
 * returned something that is not a payload object, or no chain of upcasters leads from the
 * event's version to the current one. It names the event type, the step's versions and keeps the
 * original failure as `cause`, so a poison event in a subscription can be reported precisely.
 *
 * @example
 * try { registry.upcast(json) } catch (e) {
 *   if (isPdError(e, 'UPCAST')) log(e.eventType, e.fromVersion, e.toVersion, e.cause)
 * }
 */
export class UpcastError extends DomainError<'UPCAST'> {
  readonly eventType: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** Id of the event being upcast, when known. */
  readonly eventId: string | undefined;

  constructor(
    details: {
      readonly eventType: string;
      readonly fromVersion: number;
      readonly toVersion: number;
      readonly eventId?: string;
      readonly reason?: string;
    },
    options?: { cause?: unknown },
  ) {
    const why = details.reason ?? describe(options?.cause);
    const id = details.eventId === undefined ? '' : ` (event ${details.eventId})`;
    super(
      `Cannot upcast ${details.eventType}${id} from v${details.fromVersion} to v${details.toVersion}: ${why}`,
      options?.cause === undefined ? { code: 'UPCAST' } : { code: 'UPCAST', cause: options.cause },
    );
    this.eventType = details.eventType;
    this.fromVersion = details.fromVersion;
    this.toVersion = details.toVersion;
    this.eventId = details.eventId;
  }
}

/** Why an upcaster was refused by {@link UpcasterRegistry}. */
export type UpcasterRegistrationReason =
  /** `type`, `from` or `to` is missing or not a positive integer, or `upcast` is not a function. */
  | 'invalid'
  /** `to <= from`: a step must raise the version, which also makes cycles impossible. */
  | 'not-forward'
  /** Another upcaster is already registered for the same (type, from). */
  | 'duplicate'
  /** The step's target is past the declared current version of its type. */
  | 'beyond-current'
  /**
   * A missing step: a chain of the type stops below the highest version its registered steps
   * produce (refused at registration), or below its declared current version (found by
   * `validate()`, which also runs before the first upcast).
   */
  | 'gap';

/**
 * An upcaster that the registry refuses, at registration or at validation time, so that a wrong
 * chain fails at start-up rather than on the first old event read in production.
 *
 * @example
 * registry.register(defineUpcaster({ type: 'OrderPlaced', from: 2, to: 1, upcast: (p) => p }));
 * // throws UpcasterRegistrationError (reason 'not-forward')
 */
export class UpcasterRegistrationError extends DomainError<'UPCASTER_REGISTRATION'> {
  readonly reason: UpcasterRegistrationReason;
  readonly eventType: string;
  readonly fromVersion: number | undefined;
  readonly toVersion: number | undefined;

  constructor(details: {
    readonly reason: UpcasterRegistrationReason;
    readonly eventType: string;
    readonly fromVersion?: number;
    readonly toVersion?: number;
    readonly message: string;
  }) {
    super(details.message, { code: 'UPCASTER_REGISTRATION' });
    this.reason = details.reason;
    this.eventType = details.eventType;
    this.fromVersion = details.fromVersion;
    this.toVersion = details.toVersion;
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return cause === undefined ? 'unknown failure' : String(cause);
}
