const PD_ERROR = Symbol.for('@pd/error');

/**
 * Root of every error pd throws. Each error carries a stable string `code`, so callers can branch on
 * it with {@link isPdError} even when two copies of a pd package are loaded (where `instanceof`
 * would fail).
 *
 * @example
 * try { await bus.send(cmd) } catch (e) { if (isPdError(e, 'CONCURRENCY')) retry() }
 */
export class PdError<TCode extends string = string> extends Error {
  readonly code: TCode;

  constructor(code: TCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, PD_ERROR, { value: true, enumerable: false });
  }
}

/**
 * True when `error` is a pd error (from any copy of the package), optionally with the given code.
 *
 * @example
 * if (isPdError(error, 'VALIDATION')) console.log(error.field)
 */
export function isPdError<TCode extends string = string>(
  error: unknown,
  code?: TCode,
): error is PdError<TCode> {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as Record<symbol, unknown>)[PD_ERROR] !== true) return false;
  return code === undefined || (error as { code?: unknown }).code === code;
}

/** A broken domain rule. Users subclass it for their own domain errors (code `DOMAIN` by default). */
export class DomainError<TCode extends string = 'DOMAIN'> extends PdError<TCode> {
  constructor(message: string, options?: { cause?: unknown; code?: TCode }) {
    super((options?.code ?? 'DOMAIN') as TCode, message, options);
  }
}
