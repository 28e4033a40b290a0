import { FixedClock, SystemClock } from '@pd/ddd';
import { describe, expect, it } from 'vitest';

describe('FixedClock', () => {
  it('stands still until moved', () => {
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    clock.advance(60_000);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:01:00.000Z');
    clock.set(new Date('2027-05-05T05:05:05Z'));
    expect(clock.now().toISOString()).toBe('2027-05-05T05:05:05.000Z');
  });

  it('starts at the epoch by default and accepts a Date, string or number', () => {
    expect(new FixedClock().now().getTime()).toBe(0);
    expect(new FixedClock(1_000).now().getTime()).toBe(1_000);
    expect(new FixedClock(new Date(5)).now().getTime()).toBe(5);
  });

  it('hands out copies, so a caller mutating a Date does not move the clock', () => {
    const clock = new FixedClock(0);
    clock.now().setTime(99);
    expect(clock.now().getTime()).toBe(0);
  });
});

describe('SystemClock', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = new SystemClock().now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
