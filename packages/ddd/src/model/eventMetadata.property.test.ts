import { fc, test } from '@fast-check/vitest';
import { DomainEvent, isPdError } from '@pd/ddd';
import { describe, expect } from 'vitest';
import { z } from 'zod';

class Pinged extends DomainEvent('Pinged', { n: z.number() }) {}

/** The rules of event metadata, written once more with zod: the reference for the constructor. */
const reference = z.object({
  eventId: z.string().min(1).optional(),
  occurredAt: z.union([z.date(), z.iso.datetime({ offset: true })]).optional(),
  schemaVersion: z.number().int().positive().optional(),
  correlationId: z.string().min(1).nullable().optional(),
  causationId: z.string().min(1).nullable().optional(),
});

const isoish = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 25 }),
    fc.constantFrom('', '.1', '.123', '.123456', '.1234567891'),
    fc.constantFrom('Z', '+02:00', '-11:30', '', '+2', 'z', '+24:00'),
  )
  .map(
    ([y, mo, d, h, frac, zone]) =>
      `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:07:09${frac}${zone}`,
  );

const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(''),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.date({ noInvalidDate: false }),
  isoish,
);

describe('event metadata', () => {
  test.prop(
    [
      fc.record(
        {
          eventId: anyValue,
          occurredAt: fc.oneof(isoish, anyValue),
          schemaVersion: fc.oneof(fc.integer({ min: -2, max: 5 }), anyValue),
          correlationId: anyValue,
          causationId: anyValue,
        },
        { requiredKeys: [] },
      ),
    ],
    { numRuns: 2000 },
  )('is accepted exactly when the schema accepts it, with the same values', (metadata) => {
    const expected = reference.safeParse(metadata);
    let event: Pinged | undefined;
    let error: unknown;
    try {
      event = new Pinged({ n: 1 }, metadata as never);
    } catch (e) {
      error = e;
    }
    if (!expected.success) {
      expect(isPdError(error, 'VALIDATION')).toBe(true);
      return;
    }
    expect(error).toBeUndefined();
    const data = expected.data;
    if (data.eventId !== undefined) expect(event?.eventId).toBe(data.eventId);
    if (data.occurredAt !== undefined) {
      expect(event?.occurredAt.getTime()).toBe(new Date(data.occurredAt).getTime());
    }
    expect(event?.schemaVersion).toBe(data.schemaVersion ?? 1);
    expect(event?.correlationId).toBe(data.correlationId ?? null);
    expect(event?.causationId).toBe(data.causationId ?? null);
  });
});
