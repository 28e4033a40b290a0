import { ConcurrencyError } from '@pd/ddd';
import { FakeRepository } from '@pd/testing';
import { describe, expect, it } from 'vitest';
import { ItemAdded, TodoList } from '../__fixtures__/bank.js';

describe('FakeRepository', () => {
  it('records successful saves with version, collected events and command id, and deletes', async () => {
    const repo = new FakeRepository<TodoList>();
    const list = new TodoList({ name: 'a' });
    list.add('milk');
    await repo.save(list, { commandId: 'cmd-1' });
    list.add('eggs');
    await repo.save(list);
    await repo.delete(list.id);
    expect(
      repo.saves.map((s) => [s.id, s.version, s.events.map((e) => e.payload()), s.commandId]),
    ).toEqual([
      [list.id, 1, [{ item: 'milk' }], 'cmd-1'],
      [list.id, 2, [{ item: 'eggs' }], undefined],
    ]);
    expect(repo.deletes).toEqual([list.id]);
    expect(repo.pullEvents().map((e) => e instanceof ItemAdded)).toEqual([true, true]);
  });

  it('enforces the real repository rules and does not record a rejected save', async () => {
    const repo = new FakeRepository<TodoList>();
    const list = new TodoList({ name: 'a' });
    await repo.save(list);
    const rival = new TodoList({ id: list.id, name: 'rival' });
    await expect(repo.save(rival)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(repo.saves).toHaveLength(1);
    const loaded = await repo.getById(list.id);
    expect(loaded).not.toBe(list);
  });
});
