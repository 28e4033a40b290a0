import { type Clock, domainDefaults, ValidationError } from '@pd/ddd';
import { PollingWorker } from '../app/pollingWorker.js';
import type { Worker } from '../app/worker.js';
import type { DeadLetterSink } from '../deadLetter/deadLetterSink.js';
import { type BusLogger, ConsoleBusLogger } from '../logging/logger.js';
import type { Sleep } from '../time/sleep.js';
import type { Outbox, OutboxRecord } from './outbox.js';

/** Delivers one outbox record (to a broker, to the message bus…). Throw to have it retried. */
export type OutboxPublisher = (record: OutboxRecord) => Promise<void>;

/** Options of {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  /** Worker name (default `'outbox-relay'`). */
  readonly name?: string;
  /** Records claimed per round (default 100). */
  readonly batchSize?: number;
  /** "Now" for claims and retry times. Default: the domain defaults' clock. */
  readonly clock?: Clock;
  /** Delay before the next attempt after failed attempt `attempt` (1-based). Default: 1 s doubled, capped at 5 min. */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Attempts before a record is given up (parked dead and sent to `deadLetter`). Default 10. */
  readonly maxAttempts?: number;
  /** Receives records the relay gives up on. */
  readonly deadLetter?: DeadLetterSink;
  readonly logger?: BusLogger;
  /** Pause between polls when the outbox had nothing more to give, in ms (default 1000). */
  readonly pollIntervalMs?: number;
  /** How the worker waits between polls and after errors (injected in tests). */
  readonly sleep?: Sleep;
}

/** What one {@link OutboxRelay.runOnce} round did. */
export interface RelayRoundResult {
  readonly claimed: number;
  readonly sent: number;
  /** Failed and scheduled for another attempt. */
  readonly retried: number;
  /** Failed for the last time: parked dead and handed to the dead-letter sink. */
  readonly deadLettered: number;
}

/**
 * Moves committed events from an {@link Outbox} to where they are published: the missing half of
 * the transactional outbox. Delivery is at-least-once — a relay that dies between publishing and
 * `markSent`, or between `claim` and publishing, leaves the records to be claimed again when the
 * lease expires — so consumers dedupe on `eventId`.
 *
 * Use `runOnce()` to drive it by hand (tests, cron), or run it as a {@link Worker} under an
 * `Application`: `start()` polls until `stop()`.
 *
 * @example
 * const relay = new OutboxRelay(outbox, (r) => broker.publish(r.topic ?? 'events', toIntegration(r)));
 * await bootstrap({ bus, broker, workers: [relay] });
 */
export class OutboxRelay implements Worker {
  readonly name: string;
  readonly #outbox: Outbox;
  readonly #publish: OutboxPublisher;
  readonly #batchSize: number;
  readonly #clock: Clock | undefined;
  readonly #retryDelayMs: (attempt: number) => number;
  readonly #maxAttempts: number;
  readonly #deadLetter: DeadLetterSink | undefined;
  readonly #logger: BusLogger;
  readonly #poller: PollingWorker<RelayRoundResult>;

  constructor(outbox: Outbox, publish: OutboxPublisher, options: OutboxRelayOptions = {}) {
    this.#outbox = outbox;
    this.#publish = publish;
    this.name = options.name ?? 'outbox-relay';
    this.#batchSize = positiveInteger('batchSize', options.batchSize ?? 100);
    this.#maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? 10);
    this.#clock = options.clock;
    this.#retryDelayMs =
      options.retryDelayMs ?? ((attempt) => Math.min(300_000, 1000 * 2 ** (attempt - 1)));
    this.#deadLetter = options.deadLetter;
    this.#logger = options.logger ?? new ConsoleBusLogger();
    this.#poller = new PollingWorker({
      name: this.name,
      runOnce: () => this.runOnce(),
      intervalMs: options.pollIntervalMs,
      // A full batch suggests more is waiting: claim again at once instead of pausing.
      hasMore: (round) => round.claimed >= this.#batchSize,
      sleep: options.sleep,
      onRoundError: (error) =>
        this.#logger.error('pd: outbox relay round failed', { relay: this.name, error }),
    });
  }

  /**
   * One round: claims a batch, publishes each record in order, marks the delivered ones sent and
   * the failed ones for retry (or dead after `maxAttempts`). Never sleeps.
   */
  async runOnce(): Promise<RelayRoundResult> {
    const now = this.#now();
    const records = await this.#outbox.claim(this.#batchSize, now);
    const sent: string[] = [];
    let retried = 0;
    let deadLettered = 0;
    for (const record of records) {
      try {
        await this.#publish(record);
        sent.push(record.id);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (record.attempts >= this.#maxAttempts) {
          await this.#outbox.markFailed(record.id, message, null);
          deadLettered++;
          this.#logger.error('pd: outbox record given up', {
            relay: this.name,
            recordId: record.id,
            eventId: record.eventId,
            eventType: record.eventType,
            attempts: record.attempts,
            error,
          });
          await this.#deadLetter?.add({
            source: 'outbox-relay',
            record,
            error,
            attempts: record.attempts,
            failedAt: this.#now(),
          });
        } else {
          const retryAt = new Date(now.getTime() + this.#retryDelayMs(record.attempts));
          await this.#outbox.markFailed(record.id, message, retryAt);
          retried++;
          this.#logger.warn('pd: outbox publish failed, will retry', {
            relay: this.name,
            recordId: record.id,
            eventId: record.eventId,
            attempts: record.attempts,
            retryAt: retryAt.toISOString(),
            error,
          });
        }
      }
    }
    if (sent.length > 0) await this.#outbox.markSent(sent);
    return { claimed: records.length, sent: sent.length, retried, deadLettered };
  }

  /** Starts polling in the background; does nothing if already running or already stopped. */
  start(): void {
    this.#poller.start();
  }

  /** Stops polling and waits for the round in progress to finish. Safe before `start()` and twice. */
  stop(): Promise<void> {
    return this.#poller.stop();
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#poller.running;
  }

  #now(): Date {
    return (this.#clock ?? domainDefaults().clock).now();
  }
}

function positiveInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw ValidationError.of('OutboxRelay', field, 'must be a positive integer');
  }
  return value;
}
