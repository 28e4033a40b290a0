import type { SqlExecutor } from '../executor/sqlExecutor.js';

/**
 * The NOTIFY, committed without waiting for its WAL flush: a `pg_notify` transaction takes a
 * transaction id and so writes a commit record, but it carries no data worth a flush (a crash
 * loses an undelivered notification either way). `set_config(…, true)` applies to this one
 * statement's transaction only.
 */
const NOTIFY = "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)";

/** Shortest time between two NOTIFYs of one signal, so a busy writer sends at most 100 per second. */
export const MIN_NOTIFY_INTERVAL_MS = 10;

/**
 * Sends the "events were appended" NOTIFY for one channel of one database, outside the appending
 * transactions and coalesced. The first append after a quiet spell is announced at once; appends
 * that commit while a NOTIFY is in flight, or within {@link MIN_NOTIFY_INTERVAL_MS} of it, are
 * covered by one more NOTIFY sent after that. So a listener hears about every append (a NOTIFY
 * always follows the last one, at most 10 ms later), a busy writer sends at most 100 NOTIFYs a
 * second, and appending transactions never queue on PostgreSQL's notify lock, which serialises
 * the commits of every notifying transaction in the database.
 *
 * A NOTIFY is a hint. If it fails (the pool is closing, the server restarts), listeners still
 * find the events on their next poll. The first failure is reported as a process warning.
 */
class AppendSignal {
  readonly #executor: SqlExecutor;
  readonly #channel: string;
  #inFlight = false;
  #again = false;
  #warned = false;

  constructor(executor: SqlExecutor, channel: string) {
    this.#executor = executor;
    this.#channel = channel;
  }

  /** Call after an append has committed. */
  fire(): void {
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#send();
  }

  #send(): void {
    this.#inFlight = true;
    this.#again = false;
    const started = Date.now();
    const ready = (): void => {
      this.#inFlight = false;
      if (this.#again) this.#send();
    };
    const done = (): void => {
      const wait = started + MIN_NOTIFY_INTERVAL_MS - Date.now();
      if (wait <= 0) {
        ready();
        return;
      }
      // Not holding the process open: a NOTIFY is a hint, and listeners poll as well.
      setTimeout(ready, wait).unref();
    };
    let sent: Promise<unknown>;
    try {
      sent = this.#executor.query(NOTIFY, [this.#channel, '']);
    } catch (error) {
      sent = Promise.reject(error);
    }
    // After a failure too, appends that committed meanwhile get a NOTIFY of their own: a retry is
    // only ever caused by a new append, so a failing server is not hammered in a loop.
    sent.then(done, (error: unknown) => {
      this.#warn(error);
      done();
    });
  }

  #warn(error: unknown): void {
    if (this.#warned || isClosing(error)) return;
    this.#warned = true;
    process.emitWarning(`pd: cannot NOTIFY ${this.#channel} after an append: ${String(error)}`);
  }
}

/** A pool that is ending or a closed PGlite: the application is shutting down, nothing to report. */
function isClosing(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /\bend(ed)?\b|closed|shutting down|terminat/i.test(message);
}

const signals = new WeakMap<SqlExecutor, Map<string, AppendSignal>>();

/** The signal of `channel` on `executor` (a pool or PGlite), shared by every store using them. */
export function appendSignal(executor: SqlExecutor, channel: string): { fire(): void } {
  let byChannel = signals.get(executor);
  if (byChannel === undefined) {
    byChannel = new Map();
    signals.set(executor, byChannel);
  }
  let signal = byChannel.get(channel);
  if (signal === undefined) {
    signal = new AppendSignal(executor, channel);
    byChannel.set(channel, signal);
  }
  return signal;
}
