import { InMemorySnapshotStore, type Snapshot } from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';

const snapshot = (): Snapshot => ({
  aggregateType: 'Account',
  aggregateId: 'a-1',
  version: 3,
  state: { tags: ['x'], nested: { n: 1 } },
  schemaVersion: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('InMemorySnapshotStore', () => {
  it('keeps the latest snapshot per (type, id)', async () => {
    const store = new InMemorySnapshotStore();
    await store.save(snapshot());
    await store.save({ ...snapshot(), version: 5 });
    await store.save({ ...snapshot(), aggregateType: 'Order' });
    expect((await store.get('Account', 'a-1'))?.version).toBe(5);
    expect((await store.get('Order', 'a-1'))?.version).toBe(3);
    expect(await store.get('Account', 'a-2')).toBeUndefined();
    await store.delete('Account', 'a-1');
    expect(await store.get('Account', 'a-1')).toBeUndefined();
  });

  it('copies deeply in and out: neither saver nor loader can change what is stored', async () => {
    const store = new InMemorySnapshotStore();
    const saved = snapshot();
    await store.save(saved);
    (saved.state.tags as string[]).push('mutated-after-save');
    const loaded = await store.get('Account', 'a-1');
    (loaded?.state.nested as { n: number }).n = 99;
    expect((await store.get('Account', 'a-1'))?.state).toEqual({ tags: ['x'], nested: { n: 1 } });
  });

  it('rejects a malformed snapshot', async () => {
    const store = new InMemorySnapshotStore();
    await expect(store.save({ ...snapshot(), aggregateId: '' })).rejects.toMatchObject({
      field: 'aggregateId',
    });
    await expect(store.save({ ...snapshot(), version: -1 })).rejects.toMatchObject({
      field: 'version',
    });
  });
});
