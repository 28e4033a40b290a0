import { InMemoryCheckpointStore } from '@pd/eventsourcing';
import {
  checkpointStoreContract,
  FakeCheckpointStore,
  registerContract,
  runContract,
} from '@pd/testing';
import { describe, expect, it } from 'vitest';
import { StickyCheckpointStore } from './__fixtures__/brokenStores.js';

registerContract(
  checkpointStoreContract(() => new InMemoryCheckpointStore()),
  { describe, it },
);
registerContract(
  {
    ...checkpointStoreContract(() => new FakeCheckpointStore()),
    name: 'CheckpointStore contract (FakeCheckpointStore)',
  },
  { describe, it },
);

describe('checkpointStoreContract fails for broken stores', () => {
  it('reports a store that never overwrites', async () => {
    const report = await runContract(checkpointStoreContract(() => new StickyCheckpointStore()));
    expect(report.failed.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'save overwrites: the last saved position wins, even a lower one',
        'large positions round-trip exactly',
      ]),
    );
  });

  it('reports a store that loads positions as strings', async () => {
    const positions = new Map<string, string>();
    const report = await runContract(
      checkpointStoreContract(() => ({
        load: async (id) => (positions.get(id) ?? 0) as number,
        save: async (id, position) => {
          if (!Number.isSafeInteger(position) || position < 0) {
            throw Object.assign(new Error('bad'), { code: 'VALIDATION' });
          }
          positions.set(id, String(position));
        },
      })),
    );
    expect(report.failed.map((f) => f.name)).toContain('large positions round-trip exactly');
  });
});
