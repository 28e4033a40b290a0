import type { EventNotifier } from '@pd/eventsourcing';
import type { SqlExecutor } from '../executor/sqlExecutor.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../schema/identifier.js';
import { eventsChannel } from './postgresEventStore.js';

/** Options of {@link PostgresEventNotifier}. */
export interface PostgresEventNotifierOptions {
  /** Schema of the event store to watch (default `'pd'`). */
  readonly schema?: string;
  /** Reports a failure to start listening (default: a process warning). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Live wake-up for subscribers of a {@link PostgresEventStore}. This LISTENs on
 * `pd_events_<schema>` — on a dedicated connection with node-postgres, through `db.listen` with
 * PGlite — where the store NOTIFYs after appends (its `notify` option, on by default). The store
 * sends the NOTIFY on the pool (or the PGlite instance) once the append has committed, never after
 * a rollback, and coalesces them per pool and schema: at most one in flight, at least 10 ms apart,
 * and always one after the last append. So one notification may stand for many appends. Only an
 * append inside a transaction that is not pd's own, whose commit pd cannot see, NOTIFYs from
 * within its statement (ADR 0011). A notification only says "look again": subscribers still read
 * from their checkpoint, and keep a polling fallback for notifications that were lost (the
 * connection was down, or the process died between a commit and its NOTIFY).
 *
 * @example
 * const notifier = new PostgresEventNotifier(db, { schema: 'shop' });
 * const stop = notifier.onAppended(() => runner.wake());
 */
export class PostgresEventNotifier implements EventNotifier {
  readonly #executor: SqlExecutor;
  readonly #channel: string;
  readonly #onError: (error: unknown) => void;
  readonly #listeners = new Set<() => void>();
  #subscription: Promise<(() => Promise<void>) | undefined> | undefined;

  constructor(executor: SqlExecutor, options: PostgresEventNotifierOptions = {}) {
    this.#executor = executor;
    this.#channel = eventsChannel(
      assertSchemaName(options.schema ?? DEFAULT_SCHEMA, 'PostgresEventNotifier'),
    );
    this.#onError =
      options.onError ??
      ((error) => process.emitWarning(`pd: cannot LISTEN for appended events: ${String(error)}`));
  }

  /** Calls `listener` after each committed append. Returns an unsubscribe function. */
  onAppended(listener: () => void): () => void {
    const wrapped = () => listener();
    this.#listeners.add(wrapped);
    this.#subscription ??= this.#executor
      .listen(this.#channel, () => {
        for (const l of [...this.#listeners]) l();
      })
      .catch((error: unknown) => {
        this.#subscription = undefined;
        this.#onError(error);
        return undefined;
      });
    return () => {
      this.#listeners.delete(wrapped);
      if (this.#listeners.size === 0) void this.close();
    };
  }

  /** Resolves once the LISTEN is in place (useful before the first append in tests). */
  async ready(): Promise<void> {
    await this.#subscription;
  }

  /** Stops listening. */
  async close(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = undefined;
    this.#listeners.clear();
    const stop = await subscription;
    await stop?.();
  }
}
