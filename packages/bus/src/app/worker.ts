/**
 * A background job the {@link Application} owns: an outbox relay, a subscription runner, a saga
 * timer. `start` returns once the worker is running (it must not block for the worker's whole
 * life); `stop` returns once it has finished its current unit of work and will do no more.
 * `stop` before `start` is allowed and means "never run".
 *
 * @example
 * class Heartbeat implements Worker {
 *   readonly name = 'heartbeat';
 *   start() { this.#timer = setInterval(beat, 1000) }
 *   stop() { clearInterval(this.#timer) }
 * }
 */
export interface Worker {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** Anything with a start / stop lifecycle that the {@link Application} drives (gateways, brokers, workers). */
export interface Lifecycle {
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}
