import {
  defineUpcaster,
  type EventUpcaster,
  UpcastError,
  type UpcasterRegistrationError,
  UpcasterRegistry,
} from '@pd/advanced';
import { DomainEvent, type DomainEventJSON, isPdError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// OrderPlaced v1 { amount }, v2 { total }, v3 { total, currency }.
class OrderPlaced extends DomainEvent(
  'OrderPlaced',
  { total: z.number().int(), currency: z.string().length(3) },
  { schemaVersion: 3 },
) {}

const v1to2 = defineUpcaster({
  type: 'OrderPlaced',
  from: 1,
  to: 2,
  upcast: (p: { amount: number }) => ({ total: p.amount }),
});
const v2to3 = defineUpcaster({
  type: OrderPlaced,
  from: 2,
  to: 3,
  upcast: (p: { total: number }) => ({ ...p, currency: 'EUR' }),
});

function stored(
  payload: Record<string, unknown>,
  schemaVersion = 1,
  type = 'OrderPlaced',
): DomainEventJSON {
  return {
    type,
    schemaVersion,
    eventId: '01890a5d-ac96-774b-bcce-b302099a8057',
    occurredAt: '2026-01-01T00:00:00.000Z',
    correlationId: null,
    causationId: null,
    payload,
  };
}

function registrationError(fn: () => unknown): UpcasterRegistrationError {
  try {
    fn();
  } catch (error) {
    expect(isPdError(error, 'UPCASTER_REGISTRATION')).toBe(true);
    return error as UpcasterRegistrationError;
  }
  throw new Error('expected an UpcasterRegistrationError');
}

describe('defineUpcaster', () => {
  it('takes the type name from an event class', () => {
    expect(v2to3.type).toBe('OrderPlaced');
    expect(Object.isFrozen(v2to3)).toBe(true);
  });

  it('rejects steps that do not raise the version, so a cycle can never be registered', () => {
    const back = registrationError(() =>
      defineUpcaster({ type: 'OrderPlaced', from: 2, to: 1, upcast: (p) => p }),
    );
    expect(back.reason).toBe('not-forward');
    expect(back.message).toContain('cycle');
    expect(
      registrationError(() => defineUpcaster({ type: 'X', from: 2, to: 2, upcast: (p) => p }))
        .reason,
    ).toBe('not-forward');
  });

  it('rejects a missing type name and non-positive or fractional versions', () => {
    expect(
      registrationError(() => defineUpcaster({ type: '', from: 1, to: 2, upcast: (p) => p }))
        .reason,
    ).toBe('invalid');
    expect(
      registrationError(() => defineUpcaster({ type: 'X', from: 0, to: 2, upcast: (p) => p }))
        .reason,
    ).toBe('invalid');
    expect(
      registrationError(() => defineUpcaster({ type: 'X', from: 1, to: 2.5, upcast: (p) => p }))
        .reason,
    ).toBe('invalid');
  });
});

describe('UpcasterRegistry', () => {
  it('resolves the chain from a version, in order; nothing for an unknown type or version', () => {
    const registry = new UpcasterRegistry({ upcasters: [v2to3, v1to2] });
    expect(registry.resolve('OrderPlaced', 1)).toEqual([v1to2, v2to3]);
    expect(registry.resolve('OrderPlaced', 2)).toEqual([v2to3]);
    expect(registry.resolve('OrderPlaced', 3)).toEqual([]);
    expect(registry.resolve('Unknown', 1)).toEqual([]);
    expect(registry.has('OrderPlaced')).toBe(true);
    expect(registry.has('Unknown')).toBe(false);
  });

  it('applies the chain and sets the envelope schemaVersion to the final version (fix 10.4 #21)', () => {
    const registry = new UpcasterRegistry({ upcasters: [v1to2, v2to3] });
    const current = registry.upcast(stored({ amount: 100 }));
    expect(current.schemaVersion).toBe(3);
    expect(current.payload).toEqual({ total: 100, currency: 'EUR' });
    // The rebuilt event claims the version its payload has, not the one it was stored with.
    const event = OrderPlaced.fromJSON(current);
    expect(event.schemaVersion).toBe(3);
    expect(event.total).toBe(100);
    // From v2, only the v2→v3 step runs.
    expect(registry.upcast(stored({ total: 7 }, 2))).toMatchObject({
      schemaVersion: 3,
      payload: { total: 7, currency: 'EUR' },
    });
  });

  it('never mutates the input, even when a step mutates what it receives', () => {
    const mutating = defineUpcaster({
      type: 'Tagged',
      from: 1,
      to: 2,
      upcast: (p: { tags: string[]; meta: { n: number } }) => {
        p.tags.push('added');
        p.meta.n += 1;
        return p;
      },
    });
    const registry = new UpcasterRegistry({ upcasters: [mutating] });
    const input = stored({ tags: ['a'], meta: { n: 1 } }, 1, 'Tagged');
    const snapshot = structuredClone(input);
    const first = registry.upcast(input);
    const second = registry.upcast(input);
    expect(input).toEqual(snapshot);
    expect(first.payload).toEqual({ tags: ['a', 'added'], meta: { n: 2 } });
    expect(second).toEqual(first);
  });

  it('returns the same event when no step applies', () => {
    const registry = new UpcasterRegistry({ upcasters: [v1to2, v2to3] });
    const current = stored({ total: 1, currency: 'EUR' }, 3);
    expect(registry.upcast(current)).toBe(current);
    const other = stored({}, 1, 'Other');
    expect(registry.upcast(other)).toBe(other);
  });

  it('keeps the extra fields of a stored event and shows each step the envelope at its version', () => {
    const seen: number[] = [];
    const spy = defineUpcaster({
      type: 'OrderPlaced',
      from: 1,
      to: 2,
      upcast: (p: { amount: number }, envelope) => {
        seen.push(envelope.schemaVersion);
        expect(envelope.eventId).toBe('01890a5d-ac96-774b-bcce-b302099a8057');
        return { total: p.amount };
      },
    });
    const registry = new UpcasterRegistry({ upcasters: [spy, v2to3] });
    const row = { ...stored({ amount: 5 }), streamId: 'Order-1', globalPosition: 40 };
    const result = registry.upcast(row);
    expect(result.streamId).toBe('Order-1');
    expect(result.globalPosition).toBe(40);
    expect(seen).toEqual([1]);
  });

  it('refuses a second step for the same (type, from) instead of silently replacing the first (fix 10.4 #21)', () => {
    const registry = new UpcasterRegistry({ upcasters: [v1to2] });
    const other = defineUpcaster({
      type: 'OrderPlaced',
      from: 1,
      to: 2,
      upcast: () => ({ total: -1 }),
    });
    const error = registrationError(() => registry.register(other));
    expect(error.reason).toBe('duplicate');
    expect(error).toMatchObject({ eventType: 'OrderPlaced', fromVersion: 1, toVersion: 2 });
    // The first registration still applies.
    expect(registry.upcast(stored({ amount: 3 })).payload).toEqual({ total: 3 });
    // Registering the very same step again is harmless.
    expect(() => registry.register(v1to2)).not.toThrow();
  });

  it('validates hand-written upcasters as it registers them', () => {
    const handWritten: EventUpcaster = { type: 'OrderPlaced', from: 3, to: 3, upcast: (p) => p };
    expect(registrationError(() => new UpcasterRegistry().register(handWritten)).reason).toBe(
      'not-forward',
    );
  });

  it('wraps a failing step in UpcastError with the type, both versions, the event id and the cause', () => {
    const boom = new Error('amount missing');
    const failing = defineUpcaster({
      type: 'OrderPlaced',
      from: 1,
      to: 2,
      upcast: (): { total: number } => {
        throw boom;
      },
    });
    const registry = new UpcasterRegistry({ upcasters: [failing] });
    let caught: unknown;
    try {
      registry.upcast(stored({}));
    } catch (error) {
      caught = error;
    }
    expect(isPdError(caught, 'UPCAST')).toBe(true);
    expect(caught).toBeInstanceOf(UpcastError);
    expect(caught).toMatchObject({
      eventType: 'OrderPlaced',
      fromVersion: 1,
      toVersion: 2,
      eventId: '01890a5d-ac96-774b-bcce-b302099a8057',
      cause: boom,
    });
    expect((caught as Error).message).toContain('v1');
    expect((caught as Error).message).toContain('v2');
  });

  it('rejects a step that returns something other than a payload object', () => {
    const bad = defineUpcaster({
      type: 'X',
      from: 1,
      to: 2,
      upcast: () => null as unknown as object,
    });
    const registry = new UpcasterRegistry({ upcasters: [bad] });
    expect(() => registry.upcast(stored({}, 1, 'X'))).toThrow(/instead of a payload object/);
  });

  describe('gaps between registered steps, for every type (declared or not)', () => {
    const step = (type: string, from: number, to: number) =>
      defineUpcaster({ type, from, to, upcast: (p) => ({ ...p, [`v${to}`]: true }) });

    it('refuses 1→2 with 3→4 at registration when no current version is declared', () => {
      const error = registrationError(() =>
        new UpcasterRegistry().register(step('Loose', 1, 2), step('Loose', 3, 4)),
      );
      expect(error).toMatchObject({
        reason: 'gap',
        eventType: 'Loose',
        fromVersion: 1,
        toVersion: 4,
      });
      expect(error.message).toContain('no upcaster from v2');
      // The constructor's batch is checked the same way.
      expect(
        registrationError(
          () => new UpcasterRegistry({ upcasters: [step('Loose', 3, 4), step('Loose', 1, 2)] }),
        ).reason,
      ).toBe('gap');
    });

    it('refuses a step that opens a gap after earlier calls, and keeps the registry as it was', () => {
      const registry = new UpcasterRegistry().register(step('Loose', 1, 2));
      expect(registrationError(() => registry.register(step('Loose', 3, 4))).reason).toBe('gap');
      // Nothing of the refused call was kept: v1 events still end at v2, where the chain ends.
      expect(registry.resolve('Loose', 3)).toEqual([]);
      expect(registry.upcast(stored({}, 1, 'Loose')).schemaVersion).toBe(2);
      // A refused batch keeps none of its steps, not even the ones that were fine.
      expect(
        registrationError(() => registry.register(step('Other', 1, 2), step('Loose', 3, 4))).reason,
      ).toBe('gap');
      expect(registry.has('Other')).toBe(false);
    });

    it('accepts the whole chain in one call, in any order, and upcasts through it', () => {
      const registry = new UpcasterRegistry().register(
        step('Loose', 3, 4),
        step('Loose', 1, 2),
        step('Loose', 2, 3),
      );
      expect(registry.upcast(stored({}, 1, 'Loose'))).toMatchObject({
        schemaVersion: 4,
        payload: { v2: true, v3: true, v4: true },
      });
      // Steps added in ascending order, one call at a time, never leave a gap.
      const stepwise = new UpcasterRegistry()
        .register(step('Loose', 1, 2))
        .register(step('Loose', 2, 3))
        .register(step('Loose', 3, 4));
      expect(stepwise.upcast(stored({}, 1, 'Loose')).schemaVersion).toBe(4);
    });

    it('refuses the same gap for a declared type at registration', () => {
      const registry = new UpcasterRegistry().declareCurrent('Gappy', 4);
      const error = registrationError(() =>
        registry.register(step('Gappy', 1, 2), step('Gappy', 3, 4)),
      );
      expect(error).toMatchObject({ reason: 'gap', eventType: 'Gappy', fromVersion: 1 });
      expect(registry.has('Gappy')).toBe(false);
    });

    it('never hands out an undeclared event that is off the chain below the highest version', () => {
      const registry = new UpcasterRegistry().register(step('Loose', 1, 3), step('Loose', 3, 4));
      expect(() => registry.validate()).not.toThrow();
      let caught: unknown;
      try {
        registry.upcast(stored({}, 2, 'Loose'));
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'UPCAST', fromVersion: 2, toVersion: 4 });
      expect((caught as Error).message).toContain('no upcaster from v2');
      // At or above the highest version the steps reach, the event passes as it is.
      const v4 = stored({}, 4, 'Loose');
      expect(registry.upcast(v4)).toBe(v4);
      const v5 = stored({}, 5, 'Loose');
      expect(registry.upcast(v5)).toBe(v5);
    });
  });

  describe('with declared current versions', () => {
    it('detects a chain that stops short of the current version at validate() and at upcast()', () => {
      const registry = new UpcasterRegistry()
        .declareCurrent('Gappy', 4)
        .register(
          defineUpcaster({ type: 'Gappy', from: 1, to: 2, upcast: (p) => p }),
          defineUpcaster({ type: 'Gappy', from: 2, to: 3, upcast: (p) => p }),
        );
      const error = registrationError(() => registry.validate());
      expect(error).toMatchObject({
        reason: 'gap',
        eventType: 'Gappy',
        fromVersion: 1,
        toVersion: 4,
      });
      expect(error.message).toContain('no upcaster from v3');
      // Reading fails loudly too, instead of handing out a v3 event as if it were current.
      expect(registrationError(() => registry.upcast(stored({}, 1, 'Gappy'))).reason).toBe('gap');
      // Adding the last step fixes it.
      registry.register(defineUpcaster({ type: 'Gappy', from: 3, to: 4, upcast: (p) => p }));
      expect(() => registry.validate()).not.toThrow();
      expect(registry.upcast(stored({}, 1, 'Gappy')).schemaVersion).toBe(4);
    });

    it('takes current versions from event classes and requires the oldest version to reach them', () => {
      const registry = new UpcasterRegistry({ events: [OrderPlaced], upcasters: [v2to3] });
      expect(registry.currentVersion('OrderPlaced')).toBe(3);
      expect(registrationError(() => registry.validate())).toMatchObject({
        reason: 'gap',
        fromVersion: 1,
      });
      // A type first stored at v2 declares so.
      const fromV2 = new UpcasterRegistry({ upcasters: [v2to3] }).declareCurrent('OrderPlaced', 3, {
        oldestVersion: 2,
      });
      expect(() => fromV2.validate()).not.toThrow();
    });

    it('rejects a step past the current version, whichever is declared first', () => {
      const past = defineUpcaster({ type: 'OrderPlaced', from: 3, to: 4, upcast: (p) => p });
      expect(
        registrationError(() => new UpcasterRegistry({ events: [OrderPlaced] }).register(past))
          .reason,
      ).toBe('beyond-current');
      expect(
        registrationError(() =>
          new UpcasterRegistry({ upcasters: [past] }).declareCurrent('OrderPlaced', 3),
        ).reason,
      ).toBe('beyond-current');
    });

    it('refuses to redeclare a different current version', () => {
      const registry = new UpcasterRegistry().declareCurrent('OrderPlaced', 3);
      expect(() => registry.declareCurrent('OrderPlaced', 3)).not.toThrow();
      expect(registrationError(() => registry.declareCurrent('OrderPlaced', 4)).reason).toBe(
        'duplicate',
      );
      expect(registrationError(() => registry.declareCurrent('OrderPlaced2', 0)).reason).toBe(
        'invalid',
      );
    });

    it('rejects events it cannot bring to the current version: newer ones and versions off every chain', () => {
      const registry = new UpcasterRegistry()
        .declareCurrent('Jumpy', 4)
        .register(
          defineUpcaster({ type: 'Jumpy', from: 1, to: 3, upcast: (p) => p }),
          defineUpcaster({ type: 'Jumpy', from: 3, to: 4, upcast: (p) => p }),
        );
      expect(() => registry.validate()).not.toThrow();
      expect(() => registry.upcast(stored({}, 5, 'Jumpy'))).toThrow(/newer than the current v4/);
      let caught: unknown;
      try {
        registry.upcast(stored({}, 2, 'Jumpy'));
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'UPCAST', fromVersion: 2, toVersion: 4 });
      expect((caught as Error).message).toContain('no upcaster from v2');
    });
  });
});
