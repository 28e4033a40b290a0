import { Entity, type IdGenerator, Uuid7Generator, withDomainDefaults } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Deterministic fake: 1, 2, 3 … formatted as version-7 UUIDs. */
class CountingGenerator implements IdGenerator<string> {
  count = 0;
  generate(): string {
    this.count += 1;
    return `00000000-0000-7000-8000-${this.count.toString(16).padStart(12, '0')}`;
  }
}

describe('Uuid7Generator', () => {
  const generator = new Uuid7Generator();

  it('produces RFC 9562 version-7 UUIDs (version nibble 7, variant 10xx)', () => {
    const id = generator.generate();
    expect(id).toMatch(UUID7);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('never repeats and sorts in creation order, even within one millisecond (10k ids)', () => {
    const ids = Array.from({ length: 10_000 }, () => generator.generate());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => UUID7.test(id))).toBe(true);
  });

  it('embeds the creation time in the first 48 bits', () => {
    const before = Date.now();
    const id = generator.generate();
    const after = Date.now();
    const ms = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });
});

describe('a pluggable generator', () => {
  class Customer extends Entity('Customer', { name: z.string() }) {}

  it('is used for every id minted inside its scope', () => {
    const counting = new CountingGenerator();
    const ids = withDomainDefaults({ idGenerator: counting }, () => [
      new Customer({ name: 'Ada' }).id,
      new Customer({ name: 'Bob' }).id,
    ]);
    expect(ids).toEqual([
      '00000000-0000-7000-8000-000000000001',
      '00000000-0000-7000-8000-000000000002',
    ]);
    expect(counting.count).toBe(2);
  });
});
