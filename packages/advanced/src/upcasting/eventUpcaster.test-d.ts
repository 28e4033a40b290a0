import {
  type AnyEventUpcaster,
  defineUpcaster,
  type EventUpcaster,
  UpcasterRegistry,
} from '@pd/advanced';
import type { UpcastHook } from '@pd/ddd';
import type { StoredEvent } from '@pd/eventsourcing';
import { describe, expectTypeOf, it } from 'vitest';

describe('upcaster types', () => {
  it('types the payloads from the transform', () => {
    const step = defineUpcaster({
      type: 'OrderPlaced',
      from: 1,
      to: 2,
      upcast: (p: { amount: number }) => ({ total: p.amount, currency: 'EUR' }),
    });
    expectTypeOf(step).toEqualTypeOf<
      EventUpcaster<{ amount: number }, { total: number; currency: string }>
    >();
    expectTypeOf(step).toExtend<AnyEventUpcaster>();
  });

  it('checks the transform against declared payload types', () => {
    defineUpcaster<{ amount: number }, { total: number }>({
      type: 'OrderPlaced',
      from: 1,
      to: 2,
      // @ts-expect-error `total` must be a number
      upcast: (p) => ({ total: String(p.amount) }),
    });
  });

  it('is the UpcastHook readers take, and keeps the stored event type', () => {
    const registry = new UpcasterRegistry();
    expectTypeOf(registry).toExtend<UpcastHook>();
    expectTypeOf(registry.upcast<StoredEvent>).returns.toEqualTypeOf<StoredEvent>();
  });
});
