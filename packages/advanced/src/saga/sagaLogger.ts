import { ConsoleLogger, type Logger } from '@pd/cqrs';

/**
 * Where the saga manager reports what it does not throw (a failed saga under the `'log'` policy,
 * an unknown saga type in storage, a stored command that cannot be rebuilt). The cqrs `Logger`
 * plus `warn` — structurally the same as `@pd/bus`'s `BusLogger`, so one logger serves all.
 */
export interface SagaLogger extends Logger {
  warn(message: string, fields: Record<string, unknown>): void;
}

/** The default {@link SagaLogger}: `console.info`, `console.warn`, `console.error`. */
export class ConsoleSagaLogger extends ConsoleLogger implements SagaLogger {
  warn(message: string, fields: Record<string, unknown>): void {
    console.warn(message, fields);
  }
}
