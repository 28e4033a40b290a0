import { InMemorySnapshotStore } from '@pd/eventsourcing';
import {
  FakeSnapshotStore,
  registerContract,
  runContract,
  snapshotStoreContract,
} from '@pd/testing';
import { describe, expect, it } from 'vitest';
import { FirstSnapshotWinsStore } from './__fixtures__/brokenStores.js';

registerContract(
  snapshotStoreContract(() => new InMemorySnapshotStore()),
  { describe, it },
);
registerContract(
  {
    ...snapshotStoreContract(() => new FakeSnapshotStore()),
    name: 'SnapshotStore contract (FakeSnapshotStore)',
  },
  { describe, it },
);

describe('snapshotStoreContract fails for broken stores', () => {
  it('reports a store that keeps the first snapshot', async () => {
    const report = await runContract(snapshotStoreContract(() => new FirstSnapshotWinsStore()));
    expect(report.failed.map((f) => f.name)).toEqual([
      'the latest save replaces the previous snapshot',
    ]);
  });

  it('reports a store that shares the saved object', async () => {
    const shared = new Map<string, import('@pd/eventsourcing').Snapshot>();
    const report = await runContract(
      snapshotStoreContract(() => ({
        save: async (s) => {
          shared.set(`${s.aggregateType}/${s.aggregateId}`, s);
        },
        get: async (type, id) => shared.get(`${type}/${id}`),
      })),
    );
    expect(report.failed.map((f) => f.name)).toContain(
      'changing a saved or loaded snapshot object changes nothing stored',
    );
  });
});
