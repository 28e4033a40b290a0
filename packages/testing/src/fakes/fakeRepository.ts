import {
  type AggregateRootBase,
  type AnyDomainEvent,
  InMemoryRepository,
  type SaveOptions,
} from '@pd/ddd';

type AnyAggregate = AggregateRootBase<unknown, never, AnyDomainEvent>;

/** One successful {@link FakeRepository.save}. */
export interface RecordedSave<TId = unknown> {
  readonly id: TId;
  /** The aggregate's version after the save. */
  readonly version: number;
  /** The events the save collected from the aggregate. */
  readonly events: readonly AnyDomainEvent[];
  readonly commandId: string | undefined;
}

/**
 * The ddd {@link InMemoryRepository} (same rules: optimistic concurrency, copies in and out,
 * events collected for the unit of work) that also records every successful save and delete,
 * so a test can assert what a handler persisted.
 *
 * @example
 * const orders = new FakeRepository<Order>();
 * await bus.send(new PlaceOrder({ … }));
 * orders.saves.map((s) => s.version); // [1]
 */
export class FakeRepository<
  TAggregate extends AnyAggregate,
  TId = TAggregate['id'],
> extends InMemoryRepository<TAggregate, TId> {
  readonly #saves: RecordedSave<TId>[] = [];
  readonly #deletes: TId[] = [];

  override async save(aggregate: TAggregate, options?: SaveOptions): Promise<void> {
    const events = [...aggregate.peekEvents()];
    await super.save(aggregate, options);
    this.#saves.push(
      Object.freeze({
        id: aggregate.id as TId,
        version: aggregate.version,
        events,
        commandId: options?.commandId,
      }),
    );
  }

  override async delete(id: TId): Promise<void> {
    await super.delete(id);
    this.#deletes.push(id);
  }

  /** Successful saves, in order. */
  get saves(): readonly RecordedSave<TId>[] {
    return [...this.#saves];
  }

  /** Deleted ids, in order (repeats included). */
  get deletes(): readonly TId[] {
    return [...this.#deletes];
  }
}
