import {
  Entity,
  IdGenerationError,
  type IdGenerator,
  isPdError,
  setEntityVersion,
  ValidationError,
  ValueObject,
  withDomainDefaults,
} from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

class IntGenerator implements IdGenerator<number> {
  calls = 0;
  generate(): number {
    this.calls += 1;
    return this.calls;
  }
}

class StrGenerator implements IdGenerator<string> {
  generate(): string {
    return 'not-a-uuid';
  }
}

class CountingGenerator implements IdGenerator<string> {
  calls = 0;
  generate(): string {
    this.calls += 1;
    return `00000000-0000-7000-8000-${this.calls.toString(16).padStart(12, '0')}`;
  }
}

class Address extends ValueObject('Address', { city: z.string() }) {}

class Customer extends Entity('Customer', {
  name: z.string().min(1),
  address: Address.schema().optional(),
  tags: z.array(z.string()).default([]),
}) {
  rename(name: string): void {
    this.set({ name });
  }
  /** Test hook: pushes arbitrary data through the protected setter. */
  forceSet(patch: Record<string, unknown>): void {
    this.set(patch as never);
  }
}

class Supplier extends Entity('Supplier', { name: z.string() }) {}

class Seat extends Entity('Seat', { label: z.string() }, { id: z.number().int().positive() }) {}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('Entity: identity', () => {
  it('mints a UUIDv7 id when none is given', () => {
    const customer = new Customer({ name: 'Ada' });
    expect(customer.id).toMatch(UUID7);
    expect(new Customer({ name: 'Ada' }).id).not.toBe(customer.id);
  });

  it('uses the generator in scope', () => {
    const generator = new CountingGenerator();
    const customer = withDomainDefaults(
      { idGenerator: generator },
      () => new Customer({ name: 'Ada' }),
    );
    expect(customer.id).toBe('00000000-0000-7000-8000-000000000001');
  });

  it('never calls the generator when an id is given (constructor or JSON)', () => {
    const generator = new CountingGenerator();
    const id = '0190a6e0-0000-7000-8000-000000000042';
    withDomainDefaults({ idGenerator: generator }, () => {
      expect(new Customer({ id, name: 'Ada' }).id).toBe(id);
      expect(Customer.fromJSON({ id, version: 2, name: 'Ada' }).id).toBe(id);
    });
    expect(generator.calls).toBe(0);
  });

  it('rejects an explicit null id with a ValidationError on "id"', () => {
    const input: unknown = { id: null, name: 'Ada' };
    const error = thrown(() => new Customer(input as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('id');
  });

  it('rejects an id that does not match the id schema', () => {
    const error = thrown(() => new Customer({ id: 'customer-1', name: 'Ada' }));
    expect((error as ValidationError).field).toBe('id');
  });

  it('fails clearly when the default generator cannot produce this id type', () => {
    const error = thrown(() => new Seat({ label: 'A1' }));
    expect(error).toBeInstanceOf(IdGenerationError);
    expect(isPdError(error, 'ID_GENERATION')).toBe(true);
    expect((error as Error).message).toContain('Uuid7Generator produced string');
    expect((error as Error).message).toContain('Seat');
  });

  it('names the generator and the produced type on a mismatch', () => {
    const intError = thrown(() =>
      withDomainDefaults(
        { idGenerator: new IntGenerator() as never },
        () => new Customer({ name: 'Ada' }),
      ),
    );
    expect((intError as Error).message).toContain('IntGenerator produced number');
    const strError = thrown(() =>
      withDomainDefaults({ idGenerator: new StrGenerator() }, () => new Customer({ name: 'Ada' })),
    );
    expect(strError).toBeInstanceOf(IdGenerationError);
    expect((strError as Error).message).toContain('StrGenerator produced string');
  });

  it('works with an int id when the class names its generator', () => {
    const generator = new IntGenerator();
    class Table extends Entity(
      'Table',
      { seats: z.number() },
      { id: z.number().int(), idGenerator: generator },
    ) {}
    expect(new Table({ seats: 4 }).id).toBe(1);
    expect(new Table({ seats: 2 }).id).toBe(2);
    expect(new Table({ id: 10, seats: 2 }).id).toBe(10);
    expect(generator.calls).toBe(2);
  });

  it('lets a subclass override the generator with a static field', () => {
    class NumberedSeat extends Seat {
      static override idGenerator = new IntGenerator();
    }
    expect(new NumberedSeat({ label: 'A1' }).id).toBe(1);
    expect(() => new Seat({ label: 'A1' })).toThrow(IdGenerationError);
  });

  it('prefers the class generator over the scoped default', () => {
    const classGenerator = new CountingGenerator();
    const scoped = new CountingGenerator();
    class Tracked extends Entity('Tracked', {}, { idGenerator: classGenerator }) {}
    withDomainDefaults({ idGenerator: scoped }, () => new Tracked({}));
    expect(classGenerator.calls).toBe(1);
    expect(scoped.calls).toBe(0);
  });
});

describe('Entity: equality', () => {
  const id = '0190a6e0-0000-7000-8000-000000000001';

  it('is equal by type and id only, whatever the other fields', () => {
    const a = new Customer({ id, name: 'Ada' });
    const b = new Customer({ id, name: 'Bob', tags: ['vip'] });
    expect(a.equals(b)).toBe(true);
    expect(a.equals(new Customer({ name: 'Ada' }))).toBe(false);
  });

  it('stays equal after its fields change', () => {
    const a = new Customer({ id, name: 'Ada' });
    const before = new Customer({ id, name: 'Ada' });
    a.rename('Ada Lovelace');
    expect(a.equals(before)).toBe(true);
  });

  it('is never equal to an entity of another type with the same id', () => {
    expect(new Customer({ id, name: 'Ada' }).equals(new Supplier({ id, name: 'Ada' }))).toBe(false);
  });

  it('is never equal to non-entities, null or undefined', () => {
    const customer = new Customer({ id, name: 'Ada' });
    expect(customer.equals({ id, name: 'Ada' })).toBe(false);
    expect(customer.equals(id)).toBe(false);
    expect(customer.equals(null)).toBe(false);
    expect(customer.equals(undefined)).toBe(false);
  });

  it('gives a hash key from type and id, so copies share a Map slot', () => {
    const a = new Customer({ id, name: 'Ada' });
    const b = new Customer({ id, name: 'Bob' });
    expect(a.hashKey()).toBe(b.hashKey());
    expect(a.hashKey()).toBe(`Customer:${id}`);
    expect(a.hashKey()).not.toBe(new Supplier({ id, name: 'Ada' }).hashKey());
    expect(new Map([a, b].map((c) => [c.hashKey(), c])).size).toBe(1);
    expect(new Seat({ id: 7, label: 'x' }).hashKey()).toBe('Seat:7');
  });
});

describe('Entity: changing fields', () => {
  it('changes a field through its own methods', () => {
    const customer = new Customer({ name: 'Ada' });
    customer.rename('Grace');
    expect(customer.name).toBe('Grace');
  });

  it('validates every change and names the field; nothing changes on failure', () => {
    const customer = new Customer({ name: 'Ada' });
    const error = thrown(() => customer.rename(''));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('name');
    expect(customer.name).toBe('Ada');
  });

  it('applies a multi-field patch all or nothing', () => {
    const customer = new Customer({ name: 'Ada' });
    expect(() => customer.forceSet({ tags: ['vip'], name: '' })).toThrow(ValidationError);
    expect(customer.tags).toEqual([]);
    expect(customer.name).toBe('Ada');
  });

  it('rejects an unknown field, and id or version', () => {
    const customer = new Customer({ name: 'Ada' });
    for (const field of ['colour', 'id', 'version']) {
      const error = thrown(() => customer.forceSet({ [field]: 'x' }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('turns plain input for a nested value object into an instance', () => {
    const customer = new Customer({ name: 'Ada' });
    customer.forceSet({ address: { city: 'Paris' } });
    expect(customer.address).toBeInstanceOf(Address);
    expect(customer.address?.city).toBe('Paris');
  });
});

describe('Entity: construction', () => {
  it('applies field defaults and rejects bad fields by name', () => {
    expect(new Customer({ name: 'Ada' }).tags).toEqual([]);
    const error = thrown(() => new Customer({ name: '' }));
    expect((error as ValidationError).field).toBe('name');
  });

  it('ignores unknown keys', () => {
    const input = { name: 'Ada', colour: 'red' };
    expect(Object.keys(new Customer(input).toJSON())).toEqual(['id', 'version', 'name', 'tags']);
  });

  it('starts at version 0 unless a version is given', () => {
    expect(new Customer({ name: 'Ada' }).version).toBe(0);
    expect(new Customer({ name: 'Ada', version: 3 }).version).toBe(3);
    expect(
      (thrown(() => new Customer({ name: 'Ada', version: -1 })) as ValidationError).field,
    ).toBe('version');
  });

  it('setEntityVersion sets the version and rejects a bad one', () => {
    const customer = new Customer({ name: 'Ada' });
    setEntityVersion(customer, 4);
    expect(customer.version).toBe(4);
    expect(() => setEntityVersion(customer, 1.5)).toThrow(ValidationError);
    expect(() => setEntityVersion(customer, -1)).toThrow(ValidationError);
    expect(customer.version).toBe(4);
  });

  it('rejects reserved field names and invalid type names at definition', () => {
    for (const name of ['id', 'version', 'set', 'equals', 'hashKey', 'toJSON']) {
      const error = thrown(() => Entity('Bad', { [name]: z.string() }));
      expect((error as ValidationError).field).toBe(name);
    }
    expect((thrown(() => Entity(' ', {})) as ValidationError).field).toBe('typeName');
  });
});

describe('Entity: JSON', () => {
  it('round-trips a UUID id with version and nested values', () => {
    const customer = new Customer({ name: 'Ada', address: { city: 'Paris' }, version: 2 });
    const json = JSON.parse(JSON.stringify(customer));
    expect(json).toEqual({
      id: customer.id,
      version: 2,
      name: 'Ada',
      address: { city: 'Paris' },
      tags: [],
    });
    const back = Customer.fromJSON(json);
    expect(back).toBeInstanceOf(Customer);
    expect(back.equals(customer)).toBe(true);
    expect(back.version).toBe(2);
    expect(back.address).toBeInstanceOf(Address);
    back.rename('Grace');
    expect(back.name).toBe('Grace');
  });

  it('round-trips an int id', () => {
    const seat = new Seat({ id: 12, label: 'B3' });
    const back = Seat.fromJSON(JSON.parse(JSON.stringify(seat)));
    expect(back.id).toBe(12);
    expect(back.equals(seat)).toBe(true);
  });

  it('round-trips a string id', () => {
    class Sku extends Entity('Sku', { title: z.string() }, { id: z.string().regex(/^SKU-\d+$/) }) {}
    const sku = new Sku({ id: 'SKU-42', title: 'Tea' });
    const back = Sku.fromJSON(JSON.parse(JSON.stringify(sku)));
    expect(back.id).toBe('SKU-42');
    expect(back.title).toBe('Tea');
  });
});
