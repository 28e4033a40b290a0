import { InMemoryCheckpointStore } from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';

describe('InMemoryCheckpointStore', () => {
  it('loads 0 when unknown, overwrites on save, forgets on reset', async () => {
    const store = new InMemoryCheckpointStore();
    expect(await store.load('s')).toBe(0);
    await store.save('s', 10);
    await store.save('s', 4);
    await store.save('t', Number.MAX_SAFE_INTEGER);
    expect(await store.load('s')).toBe(4);
    expect(await store.load('t')).toBe(Number.MAX_SAFE_INTEGER);
    await store.reset('s');
    expect(await store.load('s')).toBe(0);
  });

  it('rejects a negative or fractional position and an empty id', async () => {
    const store = new InMemoryCheckpointStore();
    await expect(store.save('s', -1)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.save('s', 1.5)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(store.load('')).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
