import { ValidationError } from '@pd/ddd';
import type { CheckpointStore } from '../snapshot/snapshot.js';

/**
 * A checkpoint store held in memory: the last processed global position per subscription, 0 when
 * none. Positions are plain numbers, so values in and out are copies by nature.
 *
 * @example
 * const checkpoints = new InMemoryCheckpointStore();
 * await checkpoints.save('order-summary', 42);
 * await checkpoints.load('order-summary'); // 42
 */
export class InMemoryCheckpointStore implements CheckpointStore {
  readonly #positions = new Map<string, number>();

  async load(subscriptionId: string): Promise<number> {
    checkId(subscriptionId);
    return this.#positions.get(subscriptionId) ?? 0;
  }

  async save(subscriptionId: string, position: number): Promise<void> {
    checkId(subscriptionId);
    if (!Number.isSafeInteger(position) || position < 0) {
      throw ValidationError.of(
        'CheckpointStore',
        'position',
        'position must be a non-negative integer',
      );
    }
    this.#positions.set(subscriptionId, position);
  }

  async reset(subscriptionId: string): Promise<void> {
    checkId(subscriptionId);
    this.#positions.delete(subscriptionId);
  }
}

function checkId(subscriptionId: unknown): void {
  if (typeof subscriptionId !== 'string' || subscriptionId === '') {
    throw ValidationError.of(
      'CheckpointStore',
      'subscriptionId',
      'subscription id must be a non-empty string',
    );
  }
}
