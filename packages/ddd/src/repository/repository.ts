import type { AnyDomainEvent } from '../model/domainEvent.js';

/** Options of {@link Repository.save}. */
export interface SaveOptions {
  /** The id of the command doing the save; event-sourced stores use it to reject a repeat. */
  readonly commandId?: string;
}

/**
 * Persistence of one aggregate type. Implementations check the aggregate's `version` on update
 * (throwing `ConcurrencyError` when it is stale) and collect the aggregate's pending events, which
 * the unit of work pulls with {@link Repository.pullEvents} at commit.
 */
export interface Repository<TAggregate, TId = string> {
  /** Inserts or updates. Throws `ConcurrencyError` when the stored version differs. */
  save(aggregate: TAggregate, options?: SaveOptions): Promise<void>;
  /** The aggregate, or `undefined` when there is none with that id. */
  getById(id: TId): Promise<TAggregate | undefined>;
  /** Removes the aggregate. Idempotent: deleting a missing id is not an error. */
  delete(id: TId): Promise<void>;
  /** Drains the events collected from saved aggregates. */
  pullEvents(): AnyDomainEvent[];
  /** Drops the collected events without returning them (after a rollback). */
  discardEvents?(): void;
}
