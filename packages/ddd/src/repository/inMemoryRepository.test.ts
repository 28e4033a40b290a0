import {
  AggregateRoot,
  ConcurrencyError,
  DomainEvent,
  InMemoryRepository,
  isPdError,
  type Repository,
} from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class Renamed extends DomainEvent('Renamed', { listId: z.string(), name: z.string() }) {}
class ItemAdded extends DomainEvent('ItemAdded', { listId: z.string(), item: z.string() }) {}

class TodoList extends AggregateRoot('TodoList', {
  name: z.string(),
  items: z.array(z.string()).default([]),
}) {
  rename(name: string): void {
    this.set({ name });
    this.record(new Renamed({ listId: this.id, name }));
  }
  add(item: string): void {
    this.set({ items: [...this.items, item] });
    this.record(new ItemAdded({ listId: this.id, item }));
  }
}

class Shelf extends AggregateRoot('Shelf', { label: z.string() }, { id: z.number().int() }) {}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('InMemoryRepository: save', () => {
  it('inserts a new aggregate and sets its version to 1', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = new TodoList({ name: 'groceries' });
    await repo.save(list);
    expect(list.version).toBe(1);
    const stored = await repo.getById(list.id);
    expect(stored?.name).toBe('groceries');
    expect(stored?.version).toBe(1);
    expect(repo.size).toBe(1);
  });

  it('takes the same instance through 0 → 1 → 2', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = new TodoList({ name: 'a' });
    await repo.save(list);
    list.rename('b');
    await repo.save(list);
    expect(list.version).toBe(2);
    expect((await repo.getById(list.id))?.name).toBe('b');
  });

  it('rejects a stale copy with a ConcurrencyError carrying stream and versions', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = new TodoList({ name: 'a' });
    await repo.save(list);
    const stale = await repo.getById(list.id);
    list.rename('b');
    await repo.save(list);
    if (!stale) throw new Error('missing');
    stale.rename('c');

    const error = await rejection(repo.save(stale));
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(isPdError(error, 'CONCURRENCY')).toBe(true);
    expect(error).toMatchObject({ stream: list.id, expectedVersion: 1, actualVersion: 2 });
    expect((error as Error).message).toContain('expected 1, found 2');
    expect((await repo.getById(list.id))?.name).toBe('b');
  });

  it('rejects a copy from the future as well', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = new TodoList({ name: 'a' });
    await repo.save(list);
    const ahead = new TodoList({ id: list.id, name: 'x', version: 5 });
    await expect(repo.save(ahead)).rejects.toMatchObject({ expectedVersion: 5, actualVersion: 1 });
  });

  it('lets the first of two new copies win; the second fails', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const first = new TodoList({ name: 'first' });
    const second = new TodoList({ id: first.id, name: 'second' });
    await repo.save(first);
    await expect(repo.save(second)).rejects.toMatchObject({
      code: 'CONCURRENCY',
      expectedVersion: 0,
      actualVersion: 1,
    });
    expect((await repo.getById(first.id))?.name).toBe('first');
  });

  it('leaves a rejected aggregate untouched: same version, events still pending', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = new TodoList({ name: 'a' });
    await repo.save(list);
    repo.pullEvents();
    const rival = new TodoList({ id: list.id, name: 'rival' });
    rival.rename('rival 2');
    await expect(repo.save(rival)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(rival.version).toBe(0);
    expect(rival.peekEvents()).toHaveLength(1);
    expect(repo.pullEvents()).toEqual([]);
  });

  it('stores a copy: changing the saved instance afterwards changes nothing stored', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = new TodoList({ name: 'a' });
    await repo.save(list);
    list.add('milk');
    expect((await repo.getById(list.id))?.items).toEqual([]);
  });
});

describe('InMemoryRepository: getById', () => {
  it('returns a copy of the subclass; mutating it does not change the store', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = new TodoList({ name: 'a', items: ['milk'] });
    await repo.save(list);
    const loaded = await repo.getById(list.id);
    if (!loaded) throw new Error('missing');
    expect(loaded).toBeInstanceOf(TodoList);
    expect(loaded).not.toBe(list);
    expect(loaded.equals(list)).toBe(true);
    loaded.add('eggs');
    loaded.rename('b');
    const again = await repo.getById(list.id);
    expect(again?.items).toEqual(['milk']);
    expect(again?.name).toBe('a');
  });

  it('returns a copy with no pending events', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = new TodoList({ name: 'a' });
    list.rename('b');
    await repo.save(list);
    expect((await repo.getById(list.id))?.peekEvents()).toEqual([]);
  });

  it('returns undefined for a missing id', async () => {
    const repo = new InMemoryRepository<TodoList>();
    expect(await repo.getById('0190a6e0-0000-7000-8000-000000000000')).toBeUndefined();
  });

  it('works with non-string ids', async () => {
    const repo = new InMemoryRepository<Shelf>();
    await repo.save(new Shelf({ id: 1, label: 'top' }));
    await repo.save(new Shelf({ id: 2, label: 'bottom' }));
    expect((await repo.getById(1))?.label).toBe('top');
    expect((await repo.getById(2))?.label).toBe('bottom');
    expect(await repo.getById(3)).toBeUndefined();
  });
});

describe('InMemoryRepository: delete', () => {
  it('removes only its target and is idempotent', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const a = new TodoList({ name: 'a' });
    const b = new TodoList({ name: 'b' });
    await repo.save(a);
    await repo.save(b);
    await repo.delete(a.id);
    await repo.delete(a.id);
    await repo.delete('0190a6e0-0000-7000-8000-000000000000');
    expect(await repo.getById(a.id)).toBeUndefined();
    expect((await repo.getById(b.id))?.name).toBe('b');
    expect(repo.size).toBe(1);
  });

  it('lets a new aggregate with the same id be inserted after a delete', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const old = new TodoList({ name: 'old' });
    await repo.save(old);
    await repo.delete(old.id);
    const fresh = new TodoList({ id: old.id, name: 'fresh' });
    await repo.save(fresh);
    expect(fresh.version).toBe(1);
    expect((await repo.getById(old.id))?.name).toBe('fresh');
  });

  it('does not let a copy loaded before the delete resurrect it', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = new TodoList({ name: 'a' });
    await repo.save(list);
    await repo.delete(list.id);
    await expect(repo.save(list)).rejects.toMatchObject({ expectedVersion: 1, actualVersion: 0 });
  });
});

describe('InMemoryRepository: events', () => {
  it('collects events across saves and aggregates, in order, and drains on pull', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const a = new TodoList({ name: 'a' });
    const b = new TodoList({ name: 'b' });
    a.rename('a1');
    await repo.save(a);
    b.add('milk');
    await repo.save(b);
    a.add('tea');
    await repo.save(a);
    expect(a.peekEvents()).toEqual([]);
    expect(repo.pullEvents().map((e) => e.payload())).toEqual([
      { listId: a.id, name: 'a1' },
      { listId: b.id, item: 'milk' },
      { listId: a.id, item: 'tea' },
    ]);
    expect(repo.pullEvents()).toEqual([]);
  });

  it('drops collected events with discardEvents', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = new TodoList({ name: 'a' });
    list.rename('b');
    await repo.save(list);
    repo.discardEvents();
    expect(repo.pullEvents()).toEqual([]);
  });
});

describe('InMemoryRepository: seeding and listing', () => {
  it('starts from seed copies and lists copies', async () => {
    const a = new TodoList({ name: 'a', version: 3 });
    const repo = new InMemoryRepository([a]);
    a.rename('changed');
    expect((await repo.getById(a.id))?.name).toBe('a');
    expect((await repo.getById(a.id))?.version).toBe(3);
    const [listed] = repo.all();
    expect(listed?.name).toBe('a');
    expect(listed).not.toBe(a);
    expect(new InMemoryRepository<TodoList>().size).toBe(0);
  });

  it('conforms to the Repository contract', () => {
    const repo: Repository<TodoList> = new InMemoryRepository<TodoList>();
    expect(typeof repo.discardEvents).toBe('function');
  });
});

describe('InMemoryRepository: a view per unit of work', () => {
  async function stored(repo: InMemoryRepository<TodoList>, name = 'groceries') {
    const list = new TodoList({ name });
    await repo.save(list);
    repo.pullEvents();
    return list;
  }

  it('stages saves: the shared store and other views see nothing until flush', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = await stored(repo);
    const a = repo.forUnitOfWork();
    const b = repo.forUnitOfWork();

    const loaded = (await a.getById(list.id)) as TodoList;
    loaded.rename('party');
    await a.save(loaded);
    expect(loaded.version).toBe(2);
    expect((await a.getById(list.id))?.name).toBe('party'); // the view reads its own change
    expect((await repo.getById(list.id))?.name).toBe('groceries');
    expect((await b.getById(list.id))?.name).toBe('groceries');
    expect(b.pullEvents()).toEqual([]); // events stay with the view that collected them
    expect(a.pullEvents().map((e) => e.eventType)).toEqual(['Renamed']);

    await a.flush();
    expect((await repo.getById(list.id))?.version).toBe(2);
    expect((await b.getById(list.id))?.name).toBe('party');
  });

  it('checks versions again at flush, and writes all or nothing', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const one = await stored(repo, 'one');
    const two = await stored(repo, 'two');
    const a = repo.forUnitOfWork();
    const b = repo.forUnitOfWork();
    for (const view of [a, b]) {
      const loaded = (await view.getById(one.id)) as TodoList;
      loaded.rename(`one by ${view === a ? 'a' : 'b'}`);
      await view.save(loaded);
    }
    const other = (await b.getById(two.id)) as TodoList;
    other.rename('two by b');
    await b.save(other);

    await a.flush();
    const error = await rejection(b.flush());
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect((await repo.getById(one.id))?.name).toBe('one by a');
    expect((await repo.getById(two.id))?.name).toBe('two'); // b wrote nothing at all
  });

  it('a rollback (discardEvents) drops staged changes and undoes flushed ones', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const kept = await stored(repo, 'kept');
    const view = repo.forUnitOfWork();
    const loaded = (await view.getById(kept.id)) as TodoList;
    loaded.rename('changed');
    await view.save(loaded);
    await view.save(new TodoList({ name: 'created' }));
    await view.flush();
    expect(repo.size).toBe(2);

    view.discardEvents();
    expect(repo.size).toBe(1);
    expect((await repo.getById(kept.id))?.name).toBe('kept');
    expect((await repo.getById(kept.id))?.version).toBe(1);
    expect(view.pullEvents()).toEqual([]);
  });

  it('a rollback leaves alone what another unit of work wrote over its flushed change', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = await stored(repo);
    const first = repo.forUnitOfWork();
    const renamed = (await first.getById(list.id)) as TodoList;
    renamed.rename('first');
    await first.save(renamed);
    await first.flush();

    const second = repo.forUnitOfWork();
    const again = (await second.getById(list.id)) as TodoList;
    again.rename('second');
    await second.save(again);
    await second.flush();

    first.discardEvents();
    expect((await repo.getById(list.id))?.name).toBe('second');
  });

  it('stages deletes, and undoes them on rollback', async () => {
    const repo = new InMemoryRepository<TodoList>();
    const list = await stored(repo);
    const view = repo.forUnitOfWork();
    await view.delete(list.id);
    expect(await view.getById(list.id)).toBeUndefined();
    expect(view.all()).toEqual([]);
    expect(await repo.getById(list.id)).toBeDefined();
    await view.flush();
    expect(await repo.getById(list.id)).toBeUndefined();
    view.discardEvents();
    expect((await repo.getById(list.id))?.name).toBe('groceries');
  });

  it('a view is an instance of the repository class, built from the shared one', () => {
    const repo = new InMemoryRepository<TodoList>();
    const view = repo.forUnitOfWork();
    expect(view).toBeInstanceOf(InMemoryRepository);
    expect(view.forUnitOfWork()).not.toBe(view);
  });
});
