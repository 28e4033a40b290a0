import { ValidationError } from '@pd/ddd';

/** Keeps projection states by projection id. The state is opaque to the store. */
export interface ProjectionStore<TState = unknown> {
  /** The saved state, or `undefined` for an unknown id. */
  load(projectionId: string): Promise<TState | undefined>;
  /** Saves (overwrites) the state. */
  save(projectionId: string, state: TState): Promise<void>;
}

/**
 * A {@link ProjectionStore} in a `Map`. States are copied in and out (`structuredClone`), so
 * changing a loaded state changes nothing stored until the next `save`.
 */
export class InMemoryProjectionStore<TState = unknown> implements ProjectionStore<TState> {
  readonly #states = new Map<string, TState>();

  async load(projectionId: string): Promise<TState | undefined> {
    checkId(projectionId);
    const state = this.#states.get(projectionId);
    return state === undefined ? undefined : structuredClone(state);
  }

  async save(projectionId: string, state: TState): Promise<void> {
    checkId(projectionId);
    this.#states.set(projectionId, structuredClone(state));
  }
}

function checkId(projectionId: unknown): void {
  if (typeof projectionId !== 'string' || projectionId === '') {
    throw ValidationError.of(
      'ProjectionStore',
      'projectionId',
      'a projection id must be a non-empty string',
    );
  }
}
