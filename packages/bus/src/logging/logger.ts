import { ConsoleLogger, type Logger } from '@pd/cqrs';

/**
 * Where `@pd/bus` reports what it must not throw: handler failures under the `'log'` policy,
 * poison inbound messages, relay retries, unknown event types. It is the cqrs {@link Logger} plus
 * `warn`, so one structured logger (pino, winston, `console`) serves both levels and the bus
 * never swallows a failure silently.
 *
 * @example
 * new MessageBus({ logger: pino() })
 */
export interface BusLogger extends Logger {
  warn(message: string, fields: Record<string, unknown>): void;
}

/** The default {@link BusLogger}: `console.info`, `console.warn`, `console.error`. */
export class ConsoleBusLogger extends ConsoleLogger implements BusLogger {
  warn(message: string, fields: Record<string, unknown>): void {
    console.warn(message, fields);
  }
}
