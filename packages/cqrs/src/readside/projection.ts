import type { AnyDomainEvent } from '@pd/ddd';

/**
 * A read model built by folding events: `apply` handles one event (ignoring types it does not
 * care about), `rebuild` resets the state and applies a whole history in order. Async because a
 * projection usually writes to a store.
 *
 * @example
 * class OrderCount implements Projection<number> {
 *   state = 0;
 *   async apply(e: AnyDomainEvent) { if (e.eventType === 'OrderPlaced') this.state++ }
 *   async rebuild(events: Iterable<AnyDomainEvent>) { this.state = 0; for (const e of events) await this.apply(e) }
 * }
 */
export interface Projection<TState, TEvent = AnyDomainEvent> {
  /** The current read model. */
  readonly state: TState;
  apply(event: TEvent): Promise<void>;
  rebuild(events: Iterable<TEvent> | AsyncIterable<TEvent>): Promise<void>;
}
