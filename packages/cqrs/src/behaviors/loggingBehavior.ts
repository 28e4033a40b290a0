import { type Clock, domainDefaults, isPdError } from '@pd/ddd';
import { toPromise } from '../pipeline/messagePipeline.js';
import type { MessageContext, NextHandler, PipelineBehavior } from '../pipeline/pipeline.js';

/** Where {@link LoggingBehavior} writes. Any structured logger (pino, winston, console) fits. */
export interface Logger {
  info(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/** A {@link Logger} over `console.info` / `console.error`: the default of {@link LoggingBehavior}. */
export class ConsoleLogger implements Logger {
  info(message: string, fields: Record<string, unknown>): void {
    console.info(message, fields);
  }

  error(message: string, fields: Record<string, unknown>): void {
    console.error(message, fields);
  }
}

/** Options of {@link LoggingBehavior}. */
export interface LoggingBehaviorOptions {
  /** Default: a {@link ConsoleLogger}. */
  readonly logger?: Logger;
  /** Extra structured fields from the message (choose them: payloads may hold personal data). */
  readonly payload?: (message: unknown) => Record<string, unknown>;
  /** Measures durations. Default: the domain defaults' clock. */
  readonly clock?: Clock;
}

/**
 * Logs every message it sees: one info line when it starts (kind, type, message, correlation and
 * causation ids), one info line with the duration when it succeeds, one error line with the
 * duration and the error's class (and pd code) when it fails. The error is re-thrown.
 *
 * @example
 * bus.use(new LoggingBehavior({ logger: pino(), payload: (m) => ({ orderId: (m as PlaceOrder).orderId }) }));
 */
export class LoggingBehavior implements PipelineBehavior {
  readonly #logger: Logger;
  readonly #payload: ((message: unknown) => Record<string, unknown>) | undefined;
  readonly #clock: Clock | undefined;

  constructor(options: LoggingBehaviorOptions = {}) {
    this.#logger = options.logger ?? new ConsoleLogger();
    this.#payload = options.payload;
    this.#clock = options.clock;
  }

  // Written with `then` rather than `async`/`await`: one promise per message instead of two.
  handle(context: MessageContext, next: NextHandler): Promise<unknown> {
    try {
      const clock = this.#clock ?? domainDefaults().clock;
      const logger = this.#logger;
      const fields: Record<string, unknown> = {
        kind: context.kind,
        messageType: context.messageType,
        messageId: context.messageId,
        correlationId: context.correlationId,
        causationId: context.causationId,
      };
      if (this.#payload !== undefined) fields.payload = this.#payload(context.message);
      const label = `${context.kind} ${context.messageType}`;
      logger.info(`handling ${label}`, fields);
      const started = clock.now().getTime();
      const failed = (error: unknown): never => {
        const durationMs = clock.now().getTime() - started;
        const errorName = error instanceof Error ? error.name : typeof error;
        const errorFields: Record<string, unknown> = { ...fields, durationMs, error: errorName };
        if (isPdError(error)) errorFields.errorCode = error.code;
        logger.error(`failed ${label} after ${durationMs} ms: ${errorName}`, errorFields);
        throw error;
      };
      let pending: Promise<unknown>;
      try {
        pending = toPromise(next());
      } catch (error) {
        return failed(error);
      }
      return pending.then((result) => {
        try {
          const durationMs = clock.now().getTime() - started;
          logger.info(`handled ${label} in ${durationMs} ms`, { ...fields, durationMs });
          return result;
        } catch (error) {
          return failed(error);
        }
      }, failed);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
