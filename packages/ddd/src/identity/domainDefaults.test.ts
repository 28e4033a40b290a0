import {
  DomainEvent,
  domainDefaults,
  FixedClock,
  type IdGenerator,
  resetDomainDefaults,
  SystemClock,
  setDomainDefaults,
  Uuid7Generator,
  withDomainDefaults,
} from '@pd/ddd';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

class Fixed implements IdGenerator<string> {
  constructor(private readonly id: string) {}
  generate(): string {
    return this.id;
  }
}

class Pinged extends DomainEvent('Pinged', { n: z.number() }) {}

/** Lets other tasks run, so a scope must survive real async hops. */
const hop = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => resetDomainDefaults());

describe('domainDefaults', () => {
  it('starts with UUIDv7 ids and the system clock', () => {
    const defaults = domainDefaults();
    expect(defaults.idGenerator).toBeInstanceOf(Uuid7Generator);
    expect(defaults.clock).toBeInstanceOf(SystemClock);
  });
});

describe('withDomainDefaults', () => {
  it('applies inside the scope and returns what the function returns', () => {
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    const event = withDomainDefaults(
      { clock, idGenerator: new Fixed('evt-1') },
      () => new Pinged({ n: 1 }),
    );
    expect(event.eventId).toBe('evt-1');
    expect(event.occurredAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('keeps the scope across awaits and does not leak after it ends', async () => {
    const clock = new FixedClock('2001-01-01T00:00:00Z');
    const inside = await withDomainDefaults({ clock }, async () => {
      await hop();
      const first = new Pinged({ n: 1 });
      clock.advance(1_000);
      await hop();
      return [first, new Pinged({ n: 2 })];
    });
    expect(inside.map((e) => e.occurredAt.toISOString())).toEqual([
      '2001-01-01T00:00:00.000Z',
      '2001-01-01T00:00:01.000Z',
    ]);
    await hop();
    expect(domainDefaults().clock).toBeInstanceOf(SystemClock);
    expect(new Pinged({ n: 3 }).occurredAt.getUTCFullYear()).not.toBe(2001);
  });

  it('isolates concurrent scopes from each other', async () => {
    const run = (id: string) =>
      withDomainDefaults({ idGenerator: new Fixed(id) }, async () => {
        await hop();
        const a = new Pinged({ n: 1 }).eventId;
        await hop();
        return [a, new Pinged({ n: 2 }).eventId];
      });
    const [a, b] = await Promise.all([run('A'), run('B')]);
    expect(a).toEqual(['A', 'A']);
    expect(b).toEqual(['B', 'B']);
  });

  it('inherits what the outer scope set and overrides only what it names', () => {
    const clock = new FixedClock('2030-06-01T00:00:00Z');
    withDomainDefaults({ clock }, () => {
      withDomainDefaults({ idGenerator: new Fixed('inner') }, () => {
        expect(domainDefaults().clock).toBe(clock);
        expect(domainDefaults().idGenerator.generate()).toBe('inner');
      });
      expect(domainDefaults().idGenerator).toBeInstanceOf(Uuid7Generator);
    });
  });

  it('ends the scope when the function throws', () => {
    expect(() =>
      withDomainDefaults({ idGenerator: new Fixed('x') }, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(domainDefaults().idGenerator).toBeInstanceOf(Uuid7Generator);
  });

  it('wins over the process defaults', () => {
    setDomainDefaults({ idGenerator: new Fixed('process') });
    const id = withDomainDefaults(
      { idGenerator: new Fixed('scoped') },
      () => new Pinged({ n: 1 }).eventId,
    );
    expect(id).toBe('scoped');
    expect(new Pinged({ n: 1 }).eventId).toBe('process');
  });
});

describe('setDomainDefaults and resetDomainDefaults', () => {
  it('replaces the process defaults until the returned function restores them', () => {
    const clock = new FixedClock('2026-03-01T00:00:00Z');
    const restore = setDomainDefaults({ clock });
    expect(domainDefaults().clock).toBe(clock);
    expect(domainDefaults().idGenerator).toBeInstanceOf(Uuid7Generator);
    restore();
    expect(domainDefaults().clock).toBeInstanceOf(SystemClock);
  });

  it('restores the previous settings, not the built-ins, when nested', () => {
    const first = new Fixed('first');
    const restoreFirst = setDomainDefaults({ idGenerator: first });
    const restoreSecond = setDomainDefaults({ idGenerator: new Fixed('second') });
    expect(new Pinged({ n: 1 }).eventId).toBe('second');
    restoreSecond();
    expect(domainDefaults().idGenerator).toBe(first);
    restoreFirst();
    expect(domainDefaults().idGenerator).toBeInstanceOf(Uuid7Generator);
  });

  it('resetDomainDefaults goes back to UUIDv7 and the system clock', () => {
    setDomainDefaults({ idGenerator: new Fixed('a'), clock: new FixedClock(0) });
    resetDomainDefaults();
    expect(domainDefaults().idGenerator).toBeInstanceOf(Uuid7Generator);
    expect(domainDefaults().clock).toBeInstanceOf(SystemClock);
  });
});
