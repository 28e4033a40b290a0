import { DomainEvent, Entity, ValueObject } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class Period extends ValueObject('Period', {
  from: z.coerce.date(),
  to: z.coerce.date(),
  holidays: z.set(z.string()),
  rates: z.map(z.string(), z.number()),
}) {}

class Rescheduled extends DomainEvent('Rescheduled', {
  at: z.coerce.date(),
  slots: z.array(z.date()),
}) {}

class Booking extends Entity('Booking', {
  guests: z.array(z.string()),
  stay: z.object({ nights: z.number(), checkIn: z.coerce.date() }),
  tags: z.set(z.string()),
}) {
  addGuest(name: string) {
    this.set({ guests: [...this.guests, name] });
  }
}

const jan1 = new Date('2026-01-01T00:00:00.000Z');
const jan8 = new Date('2026-01-08T00:00:00.000Z');

const period = () =>
  new Period({
    from: jan1,
    to: jan8,
    holidays: new Set(['2026-01-06']),
    rates: new Map([['EUR', 1]]),
  });

describe('immutability of field values', () => {
  it('a date field of a value object cannot be changed with its setters', () => {
    const p = period();
    expect(() => p.from.setTime(0)).toThrow(TypeError);
    expect(() => p.to.setUTCFullYear(1999)).toThrow(/immutable model/);
    expect(p.from.getTime()).toBe(jan1.getTime());
  });

  it('copies the caller’s Date: changing it later does not change the model', () => {
    const given = new Date(jan1);
    const p = new Period({ from: given, to: jan8, holidays: new Set(), rates: new Map() });
    given.setTime(0);
    expect(p.from.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('a frozen date is still a Date for every reader: instanceof, equality, JSON, zod', () => {
    const p = period();
    expect(p.from).toBeInstanceOf(Date);
    expect(p.from.getTime()).toBe(jan1.getTime());
    expect(p.equals(period())).toBe(true);
    expect(JSON.parse(JSON.stringify(p.toJSON())).from).toBe('2026-01-01T00:00:00.000Z');
    expect(p.with({ to: p.from }).to.getTime()).toBe(jan1.getTime());
  });

  it('a Set or Map field rejects add, set, delete and clear, and stays readable', () => {
    const p = period();
    expect(() => p.holidays.add('2026-12-25')).toThrow(TypeError);
    expect(() => p.holidays.delete('2026-01-06')).toThrow(TypeError);
    expect(() => p.holidays.clear()).toThrow(TypeError);
    expect(() => p.rates.set('USD', 2)).toThrow(TypeError);
    expect(() => p.rates.delete('EUR')).toThrow(TypeError);
    expect(() => p.rates.clear()).toThrow(TypeError);
    expect([...p.holidays]).toEqual(['2026-01-06']);
    expect(p.rates.get('EUR')).toBe(1);
    expect(p.holidays).toBeInstanceOf(Set);
    expect(p.rates).toBeInstanceOf(Map);
  });

  it('an event’s occurredAt and its date fields, nested in arrays too, are read-only', () => {
    const event = new Rescheduled({ at: jan1, slots: [jan8] }, { occurredAt: jan1 });
    expect(() => event.occurredAt.setTime(0)).toThrow(TypeError);
    expect(() => event.at.setDate(2)).toThrow(TypeError);
    expect(() => (event.slots[0] as Date).setTime(0)).toThrow(TypeError);
    expect(event.toJSON().occurredAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('an entity’s array, object and date fields cannot be changed in place, only through set', () => {
    const booking = new Booking({
      guests: ['ada'],
      stay: { nights: 2, checkIn: jan1 },
      tags: new Set(['vip']),
    });
    expect(() => booking.guests.push('mallory')).toThrow(TypeError);
    expect(() => {
      (booking.stay as { nights: number }).nights = 99;
    }).toThrow(TypeError);
    expect(() => booking.stay.checkIn.setTime(0)).toThrow(TypeError);
    expect(() => booking.tags.add('free')).toThrow(TypeError);

    booking.addGuest('grace');
    expect(booking.guests).toEqual(['ada', 'grace']);
    expect(Object.isFrozen(booking.guests)).toBe(true);
    expect(() => booking.guests.pop()).toThrow(TypeError);
  });

  it('a model built from another model’s fields shares nothing mutable with it', () => {
    const a = period();
    const b = new Period({ from: a.from, to: a.to, holidays: a.holidays, rates: a.rates });
    expect(b.equals(a)).toBe(true);
    expect(() => b.holidays.add('x')).toThrow(TypeError);
  });
});
