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
 * events collected for the unit of work, a view of its own per unit of work) that also records
 * every save and delete that reaches the store, so a test can assert what a handler persisted.
 * Inside a unit of work a save is recorded when the unit of work commits, and not at all when it
 * rolls back.
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

  protected override persisted(
    aggregate: TAggregate,
    options: SaveOptions | undefined,
    events: readonly AnyDomainEvent[],
  ): void {
    this.#saves.push(
      Object.freeze({
        id: aggregate.id as TId,
        version: aggregate.version,
        events: [...events],
        commandId: options?.commandId,
      }),
    );
  }

  protected override deleted(id: TId): void {
    this.#deletes.push(id);
  }

  /** Saves that reached the store, in order. */
  get saves(): readonly RecordedSave<TId>[] {
    return [...this.root.#saves];
  }

  /** Deleted ids, in order. */
  get deletes(): readonly TId[] {
    return [...this.root.#deletes];
  }
}
