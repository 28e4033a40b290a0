import type { Projection } from '@pd/cqrs';
import type { AnyDomainEvent } from '@pd/ddd';
import { type EventStore, InMemoryEventStore, type StoredEvent } from '@pd/eventsourcing';
import { describeError, fail } from '../assert/failure.js';
import { assertState, type StateExpectation } from './aggregateSpec.js';

/** A projection that folds stored events (an `EventSourcedProjection`). */
export interface StoredEventProjection {
  apply(stored: StoredEvent): Promise<void>;
}

/** Either kind of projection a {@link projectionSpec} drives. */
export type AnyProjection = StoredEventProjection | Projection<unknown>;

type Given = { readonly streamId: string; readonly events: readonly AnyDomainEvent[] };

/** The "given" step of a {@link projectionSpec}. */
export interface ProjectionGiven<TProjection extends AnyProjection> {
  /**
   * Past events, in call order. For an `EventSourcedProjection` they are appended to a fresh
   * in-memory event store and applied as stored events in global order; a cqrs `Projection`
   * receives the domain events themselves. Without a stream id they go to stream `"spec-1"`.
   */
  given(events: readonly AnyDomainEvent[]): ProjectionGiven<TProjection>;
  given(streamId: string, events: readonly AnyDomainEvent[]): ProjectionGiven<TProjection>;
  /**
   * Asserts the projection after every event was applied. For a cqrs `Projection` the fields are
   * those of its `state`; for an `EventSourcedProjection`, of the projection itself. A predicate
   * receives the projection (return `false` or throw to fail). Resolves to the projection.
   */
  thenState(
    expected:
      | StateExpectation<StateOf<TProjection>>
      | ((projection: TProjection) => boolean | undefined),
  ): Promise<TProjection>;
  /** Asserts that applying the events threw (optionally: a message fragment). */
  thenThrows(messageFragment?: string): Promise<unknown>;
}

/** What `thenState` compares fields of: `state` for a cqrs `Projection`, else the projection. */
export type StateOf<TProjection> =
  TProjection extends Projection<infer TState> ? TState : TProjection;

/**
 * A given/then specification of a projection: append the given events to a fresh in-memory
 * event store (so they become real stored events with streams and global positions), apply them
 * in global order, then assert the read model.
 *
 * @example
 * await projectionSpec(new OrderTotals())
 *   .given('Order-1', [new OrderPlaced({ orderId: '1', total: 5 })])
 *   .given('Order-2', [new OrderPlaced({ orderId: '2', total: 7 })])
 *   .thenState((p) => p.totals.get('2') === 7);
 */
export function projectionSpec<TProjection extends AnyProjection>(
  projection: TProjection,
): ProjectionGiven<TProjection> {
  return step(projection, []);
}

function step<TProjection extends AnyProjection>(
  projection: TProjection,
  givens: readonly Given[],
): ProjectionGiven<TProjection> {
  let applied: Promise<{ ok: true } | { ok: false; error: unknown }> | undefined;
  const run = () => {
    applied ??= (async () => {
      try {
        if (isStoredEventProjection(projection)) {
          const store: EventStore = new InMemoryEventStore();
          for (const { streamId, events } of givens) {
            await store.appendToStream(streamId, events, { expectedVersion: 'any' });
          }
          const { events } = await store.readAll({ limit: Number.MAX_SAFE_INTEGER });
          for (const stored of events) await projection.apply(stored);
        } else {
          for (const { events } of givens)
            for (const event of events) await projection.apply(event);
        }
        return { ok: true as const };
      } catch (error) {
        return { ok: false as const, error };
      }
    })();
    return applied;
  };
  const label = `projectionSpec(${nameOf(projection)})`;
  return {
    given(first: string | readonly AnyDomainEvent[], second?: readonly AnyDomainEvent[]) {
      const entry: Given =
        typeof first === 'string'
          ? { streamId: first, events: [...(second ?? [])] }
          : { streamId: 'spec-1', events: [...first] };
      return step(projection, [...givens, entry]);
    },
    async thenState(expected) {
      const result = await run();
      if (!result.ok)
        fail(`${label}.thenState: applying the events threw ${describeError(result.error)}`);
      if (typeof expected === 'function') {
        const verdict = (expected as (p: TProjection) => boolean | undefined)(projection);
        if (verdict === false) fail(`${label}.thenState: the predicate returned false`);
      } else {
        const target = isStoredEventProjection(projection)
          ? projection
          : (projection as Projection<unknown>).state;
        assertState(`${label}.thenState`, target as StateOf<TProjection>, expected);
      }
      return projection;
    },
    async thenThrows(messageFragment) {
      const result = await run();
      if (result.ok) fail(`${label}.thenThrows: every event applied without an error`);
      if (messageFragment !== undefined && !describeError(result.error).includes(messageFragment)) {
        fail(
          `${label}.thenThrows: expected an error mentioning "${messageFragment}", got ${describeError(result.error)}`,
        );
      }
      return result.error;
    },
  } as ProjectionGiven<TProjection>;
}

function isStoredEventProjection(projection: AnyProjection): projection is StoredEventProjection {
  return typeof (projection as { restoreCheckpoint?: unknown }).restoreCheckpoint === 'function';
}

function nameOf(projection: AnyProjection): string {
  const name = (projection as { name?: unknown }).name;
  return typeof name === 'string' ? name : projection.constructor.name;
}
