import type { AnyDomainEvent } from '@pd/ddd';
import {
  type AppendOptions,
  type AppendResult,
  InMemoryEventStore,
  type StoredEvent,
} from '@pd/eventsourcing';

/** One append attempt on a {@link FakeEventStore}. */
export interface RecordedAppend {
  readonly streamId: string;
  /** The stored records (empty for a failed append). */
  readonly stored: readonly StoredEvent[];
  readonly options: AppendOptions;
  /** The result, or `undefined` when the append failed. */
  readonly result: AppendResult | undefined;
  /** The error of a failed append. */
  readonly error: unknown;
}

/**
 * The eventsourcing {@link InMemoryEventStore} — every rule of the `EventStore` contract — that
 * also logs each append attempt, successful or not.
 *
 * @example
 * const store = new FakeEventStore();
 * await bus.send(new Withdraw({ … }));
 * store.appends.at(-1)?.stored.map((e) => e.type); // ['MoneyWithdrawn']
 */
export class FakeEventStore extends InMemoryEventStore {
  readonly #appends: RecordedAppend[] = [];

  override async appendToStream(
    streamId: string,
    events: readonly AnyDomainEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    try {
      const result = await super.appendToStream(streamId, events, options);
      const stored =
        result.lastPosition === null
          ? []
          : (
              await this.readAll({
                fromPosition: result.lastPosition - events.length,
                limit: events.length,
              })
            ).events;
      this.#appends.push(Object.freeze({ streamId, stored, options, result, error: undefined }));
      return result;
    } catch (error) {
      this.#appends.push(
        Object.freeze({ streamId, stored: [], options, result: undefined, error }),
      );
      throw error;
    }
  }

  /** Every append attempt, in order. */
  get appends(): readonly RecordedAppend[] {
    return [...this.#appends];
  }

  /** Every event stored by a successful append, in global order. */
  get appended(): readonly StoredEvent[] {
    return this.#appends.flatMap((a) => a.stored);
  }
}
