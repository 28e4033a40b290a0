import { AggregateRoot, DomainError, DomainEvent, type IdGenerator } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class OrderPlaced extends DomainEvent('OrderPlaced', { orderId: z.string() }) {}
class LineAdded extends DomainEvent('LineAdded', { orderId: z.string(), sku: z.string() }) {}
type OrderEvent = OrderPlaced | LineAdded;

class Order extends AggregateRoot('Order', {
  status: z.enum(['draft', 'placed']).default('draft'),
  lines: z.array(z.string()).default([]),
}) {
  addLine(sku: string): void {
    this.set({ lines: [...this.lines, sku] });
    this.record(new LineAdded({ orderId: this.id, sku }));
  }
  place(): void {
    if (this.status !== 'draft') throw new DomainError('order already placed');
    this.set({ status: 'placed' });
    this.record(new OrderPlaced({ orderId: this.id }));
  }
}

/** Routes every state change through its events, as event-sourced aggregates do. */
class Counter extends AggregateRoot('Counter', { value: z.number().int() }) {
  seenBufferSizes: number[] = [];
  increment(by: number): void {
    this.record(new Incremented({ by }));
  }
  protected override applyEvent(event: Incremented): void {
    this.seenBufferSizes.push(this.peekEvents().length);
    if (this.value + event.by > 10) throw new DomainError('counter overflow');
    this.set({ value: this.value + event.by });
  }
}
class Incremented extends DomainEvent('Incremented', { by: z.number().int() }) {}

describe('AggregateRoot: recording events', () => {
  it('returns recorded events in order and drains the buffer', () => {
    const order = new Order({});
    order.addLine('A');
    order.addLine('B');
    order.place();
    const events: OrderEvent[] = order.pullEvents() as OrderEvent[];
    expect(events.map((e) => e.eventType)).toEqual(['LineAdded', 'LineAdded', 'OrderPlaced']);
    expect(events.map((e) => e.payload())).toEqual([
      { orderId: order.id, sku: 'A' },
      { orderId: order.id, sku: 'B' },
      { orderId: order.id },
    ]);
    expect(order.pullEvents()).toEqual([]);
  });

  it('keeps recording after a pull', () => {
    const order = new Order({});
    order.addLine('A');
    order.pullEvents();
    order.place();
    expect(order.pullEvents().map((e) => e.eventType)).toEqual(['OrderPlaced']);
  });

  it('peeks without draining and clears without returning', () => {
    const order = new Order({});
    order.addLine('A');
    expect(order.peekEvents()).toHaveLength(1);
    expect(order.peekEvents()).toHaveLength(1);
    order.clearEvents();
    expect(order.peekEvents()).toHaveLength(0);
    expect(order.pullEvents()).toEqual([]);
  });

  it('does not hand out the live buffer: a pulled array is not refilled', () => {
    const order = new Order({});
    order.addLine('A');
    const pulled = order.pullEvents();
    order.addLine('B');
    expect(pulled).toHaveLength(1);
  });

  it('records nothing when the command method rejects', () => {
    const order = new Order({});
    order.place();
    order.pullEvents();
    expect(() => order.place()).toThrow('order already placed');
    expect(order.peekEvents()).toEqual([]);
  });

  it('keeps buffers per instance', () => {
    const a = new Order({});
    const b = new Order({});
    a.addLine('A');
    expect(b.peekEvents()).toEqual([]);
  });
});

describe('AggregateRoot: applyEvent hook', () => {
  it('runs before the event is buffered', () => {
    const counter = new Counter({ value: 0 });
    counter.increment(2);
    counter.increment(3);
    expect(counter.value).toBe(5);
    expect(counter.seenBufferSizes).toEqual([0, 1]);
    expect(counter.peekEvents()).toHaveLength(2);
  });

  it('buffers nothing when the hook throws', () => {
    const counter = new Counter({ value: 8 });
    expect(() => counter.increment(5)).toThrow('counter overflow');
    expect(counter.value).toBe(8);
    expect(counter.peekEvents()).toEqual([]);
  });
});

describe('AggregateRoot: serialisation', () => {
  it('keeps the pending events out of toJSON', () => {
    const order = new Order({});
    order.addLine('A');
    expect(order.toJSON()).toEqual({ id: order.id, version: 0, status: 'draft', lines: ['A'] });
    expect(JSON.stringify(order)).not.toContain('LineAdded');
    expect(Object.keys(order)).not.toContain('pending');
  });

  it('round-trips to an aggregate with an empty buffer that can record again', () => {
    const order = new Order({});
    order.addLine('A');
    const back = Order.fromJSON(JSON.parse(JSON.stringify(order)));
    expect(back).toBeInstanceOf(Order);
    expect(back.equals(order)).toBe(true);
    expect(back.lines).toEqual(['A']);
    expect(back.peekEvents()).toEqual([]);
    back.place();
    expect(back.pullEvents().map((e) => e.eventType)).toEqual(['OrderPlaced']);
    expect(order.peekEvents()).toHaveLength(1);
  });

  it('rejects reserved names (event buffer API) as fields', () => {
    for (const name of ['pullEvents', 'peekEvents', 'clearEvents', 'applyEvent', 'record']) {
      expect(() => AggregateRoot('Bad', { [name]: z.string() })).toThrow(name);
    }
  });
});

describe('AggregateRoot: non-UUID ids', () => {
  class TicketNumbers implements IdGenerator<string> {
    next = 0;
    generate(): string {
      this.next += 1;
      return `T-${this.next}`;
    }
  }

  class Ticket extends AggregateRoot(
    'Ticket',
    { title: z.string() },
    { id: z.string().regex(/^T-\d+$/), idGenerator: new TicketNumbers() },
  ) {
    close(): void {
      this.record(new TicketClosed({ ticketId: this.id }));
    }
  }
  class TicketClosed extends DomainEvent('TicketClosed', { ticketId: z.string() }) {}

  class Bin extends AggregateRoot('Bin', { size: z.number() }, { id: z.number().int() }) {}

  it('mints and round-trips string ids and records events', () => {
    const ticket = new Ticket({ title: 'Printer on fire' });
    expect(ticket.id).toBe('T-1');
    ticket.close();
    expect(ticket.pullEvents()[0]?.payload()).toEqual({ ticketId: 'T-1' });
    expect(Ticket.fromJSON(ticket.toJSON()).id).toBe('T-1');
  });

  it('works with explicit int ids', () => {
    const bin = new Bin({ id: 3, size: 10 });
    expect(Bin.fromJSON(JSON.parse(JSON.stringify(bin))).id).toBe(3);
    expect(bin.pullEvents()).toEqual([]);
  });
});
