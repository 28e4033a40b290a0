import {
  AggregateRoot,
  DomainError,
  DomainEvent,
  DomainService,
  type Factory,
  type IdGenerator,
  type ReconstitutionFactory,
  ValueObject,
  withDomainDefaults,
} from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class Line extends ValueObject('Line', {
  sku: z.string(),
  quantity: z.number().int(),
  price: z.number(),
}) {}

class OrderCreated extends DomainEvent('OrderCreated', {
  orderId: z.string(),
  lines: z.number().int(),
}) {}

class Order extends AggregateRoot('Order', {
  customerId: z.string(),
  lines: z.array(Line.schema()),
}) {
  /** Called by the factory only; records the creation fact. */
  markCreated(): void {
    this.record(new OrderCreated({ orderId: this.id, lines: this.lines.length }));
  }
  total(): number {
    return this.lines.reduce((sum, line) => sum + line.quantity * line.price, 0);
  }
}

class InvalidOrder extends DomainError<'INVALID_ORDER'> {
  constructor(message: string) {
    super(message, { code: 'INVALID_ORDER' });
  }
}

type LineInput = { sku: string; quantity: number; price: number };
type OrderRow = { id: string; version: number; customerId: string; lines: LineInput[] };

class OrderFactory
  implements Factory<Order, [string, LineInput[]]>, ReconstitutionFactory<Order, [OrderRow]>
{
  create(customerId: string, lines: LineInput[]): Order {
    // Every invariant is checked before anything is built: a half-valid order never exists.
    if (lines.length === 0) throw new InvalidOrder('an order needs at least one line');
    for (const line of lines) {
      if (line.quantity <= 0) throw new InvalidOrder(`quantity of ${line.sku} must be positive`);
      if (line.price <= 0) throw new InvalidOrder(`price of ${line.sku} must be positive`);
    }
    const order = new Order({ customerId, lines });
    order.markCreated();
    return order;
  }

  reconstitute(row: OrderRow): Order {
    return new Order(row);
  }
}

class FixedIds implements IdGenerator<string> {
  n = 0;
  generate(): string {
    this.n += 1;
    return `0190a6e0-0000-7000-8000-${this.n.toString().padStart(12, '0')}`;
  }
}

describe('Factory', () => {
  const factory = new OrderFactory();
  const line = { sku: 'A', quantity: 2, price: 5 };

  it('mints the id and returns a valid aggregate with its creation event', () => {
    const ids = new FixedIds();
    const order = withDomainDefaults({ idGenerator: ids }, () => factory.create('c-1', [line]));
    expect(order.id).toBe('0190a6e0-0000-7000-8000-000000000001');
    expect(order.total()).toBe(10);
    expect(order.lines[0]).toBeInstanceOf(Line);
    expect(order.pullEvents().map((e) => e.payload())).toEqual([{ orderId: order.id, lines: 1 }]);
  });

  it.each([
    ['no lines', [], 'at least one line'],
    ['a zero quantity', [{ sku: 'A', quantity: 0, price: 5 }], 'quantity of A'],
    ['a negative price', [line, { sku: 'B', quantity: 1, price: -1 }], 'price of B'],
  ])('rejects an order with %s and builds nothing', (_, lines, message) => {
    const ids = new FixedIds();
    expect(() =>
      withDomainDefaults({ idGenerator: ids }, () => factory.create('c-1', lines)),
    ).toThrow(message);
    expect(ids.n).toBe(0);
  });
});

describe('ReconstitutionFactory', () => {
  const factory = new OrderFactory();
  const row: OrderRow = {
    id: '0190a6e0-0000-7000-8000-000000000777',
    version: 4,
    customerId: 'c-1',
    lines: [{ sku: 'A', quantity: 1, price: -3 }],
  };

  it('keeps the persisted id and version and never calls the id generator', () => {
    const ids = new FixedIds();
    const order = withDomainDefaults({ idGenerator: ids }, () => factory.reconstitute(row));
    expect(order.id).toBe(row.id);
    expect(order.version).toBe(4);
    expect(ids.n).toBe(0);
  });

  it('accepts stored data that creation would reject', () => {
    expect(() => factory.create('c-1', row.lines)).toThrow(InvalidOrder);
    expect(factory.reconstitute(row).total()).toBe(-3);
  });

  it('leaves no pending events', () => {
    expect(factory.reconstitute(row).pullEvents()).toEqual([]);
  });
});

describe('an async factory with an injected service', () => {
  interface CustomerDirectory {
    exists(customerId: string): Promise<boolean>;
  }

  class CheckedOrderFactory implements Factory<Order, [string, LineInput[]]> {
    constructor(
      private readonly customers: CustomerDirectory,
      private readonly inner = new OrderFactory(),
    ) {}

    async create(customerId: string, lines: LineInput[]): Promise<Order> {
      if (!(await this.customers.exists(customerId)))
        throw new InvalidOrder(`unknown customer ${customerId}`);
      return this.inner.create(customerId, lines);
    }
  }

  const directory: CustomerDirectory = { exists: async (id) => id === 'c-1' };

  it('creates through the service', async () => {
    const order = await new CheckedOrderFactory(directory).create('c-1', [
      { sku: 'A', quantity: 1, price: 1 },
    ]);
    expect(order.customerId).toBe('c-1');
  });

  it('rejects what the service rejects', async () => {
    await expect(
      new CheckedOrderFactory(directory).create('c-9', [{ sku: 'A', quantity: 1, price: 1 }]),
    ).rejects.toThrow('unknown customer c-9');
  });
});

describe('DomainService', () => {
  interface ExchangeRates {
    rate(from: string, to: string): number;
  }

  /** Logic spanning two aggregates, owned by neither. */
  class PricingService extends DomainService {
    constructor(private readonly rates: ExchangeRates) {
      super();
    }
    totalIn(currency: string, orders: readonly Order[], from: string): number {
      const rate = this.rates.rate(from, currency);
      return orders.reduce((sum, order) => sum + order.total() * rate, 0);
    }
  }

  it('takes its collaborators in the constructor and is a DomainService', () => {
    const service = new PricingService({ rate: (from, to) => (from === to ? 1 : 2) });
    const order = new OrderFactory().create('c-1', [{ sku: 'A', quantity: 1, price: 10 }]);
    expect(service).toBeInstanceOf(DomainService);
    expect(service.totalIn('USD', [order, order], 'EUR')).toBe(40);
  });

  it('carries no state of its own', () => {
    class Empty extends DomainService {}
    expect(Object.keys(new Empty())).toEqual([]);
  });
});
