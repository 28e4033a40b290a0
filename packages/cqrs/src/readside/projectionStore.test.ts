import { InMemoryProjectionStore, type Projection } from '@pd/cqrs';
import { type AnyDomainEvent, DomainEvent } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class Placed extends DomainEvent('Placed', { total: z.number() }) {}
class Ignored extends DomainEvent('Ignored', {}) {}

class Revenue implements Projection<{ orders: number; total: number }> {
  state = { orders: 0, total: 0 };
  async apply(event: AnyDomainEvent): Promise<void> {
    if (event instanceof Placed)
      this.state = { orders: this.state.orders + 1, total: this.state.total + event.total };
  }
  async rebuild(events: Iterable<AnyDomainEvent> | AsyncIterable<AnyDomainEvent>): Promise<void> {
    this.state = { orders: 0, total: 0 };
    for await (const event of events) await this.apply(event);
  }
}

describe('read side', () => {
  it('a projection folds events, skipping irrelevant ones, and rebuild starts over', async () => {
    const projection = new Revenue();
    await projection.apply(new Placed({ total: 5 }));
    await projection.apply(new Ignored({}));
    expect(projection.state).toEqual({ orders: 1, total: 5 });
    await projection.rebuild([new Placed({ total: 2 }), new Placed({ total: 3 })]);
    expect(projection.state).toEqual({ orders: 2, total: 5 });
  });

  it('InMemoryProjectionStore keeps states per id and copies them in and out', async () => {
    const store = new InMemoryProjectionStore<{ total: number; tags: string[] }>();
    expect(await store.load('revenue')).toBeUndefined();
    const state = { total: 1, tags: ['a'] };
    await store.save('revenue', state);
    state.tags.push('changed after save');
    const loaded = await store.load('revenue');
    expect(loaded).toEqual({ total: 1, tags: ['a'] });
    loaded?.tags.push('changed after load');
    expect(await store.load('revenue')).toEqual({ total: 1, tags: ['a'] });
    await store.save('other', { total: 9, tags: [] });
    expect((await store.load('revenue'))?.total).toBe(1);
    await store.save('revenue', { total: 2, tags: [] });
    expect((await store.load('revenue'))?.total).toBe(2);
    await expect(store.load('')).rejects.toThrow(/projection id/);
  });
});
