import { CommandTypeRegistry, Saga, SagaConfigurationError, SagaRegistry } from '@pd/advanced/saga';
import { Command } from '@pd/cqrs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ChargePayment,
  OrderFulfilment,
  OrderPlaced,
  PaymentCharged,
  RefundPayment,
  StockReserved,
} from './testSupport/orderFulfilment.js';

class Listener extends Saga {
  static override readonly sagaType = 'Listener';
  static override readonly listensTo = [OrderPlaced, StockReserved];
}
class Deaf extends Saga {
  static override readonly sagaType = 'Deaf';
}

describe('SagaRegistry', () => {
  it('registers a saga for each listened event type, in registration order, idempotently', () => {
    const registry = new SagaRegistry()
      .registerSaga(OrderFulfilment)
      .registerSaga(Listener)
      .registerSaga(Listener);
    expect(registry.getSagasForEvent(OrderPlaced)).toEqual([OrderFulfilment, Listener]);
    expect(registry.getSagasForEvent('StockReserved')).toEqual([OrderFulfilment, Listener]);
    expect(registry.getSagasForEvent(PaymentCharged)).toEqual([OrderFulfilment]);
    expect(registry.getSagasForEvent('Nope')).toEqual([]);
    expect([...registry.registeredEventTypes].sort()).toEqual(
      [
        'OrderPlaced',
        'PaymentCharged',
        'PaymentDeclined',
        'StockReserved',
        'StockUnavailable',
      ].sort(),
    );
    expect(registry.eventClasses()).toHaveLength(5);
    expect(registry.getSagaType('Listener')).toBe(Listener);
  });

  it('a saga listening to nothing is registered by name with a warning, or rejected in strict mode', () => {
    const warnings: string[] = [];
    const registry = new SagaRegistry({ warn: (m) => warnings.push(m) }).registerSaga(Deaf);
    expect(registry.getSagaType('Deaf')).toBe(Deaf);
    expect(warnings).toEqual(['Saga Deaf listens to no event type (set static listensTo)']);

    const strict = new SagaRegistry();
    expect(() => strict.registerSaga(Deaf, { strict: true })).toThrowError(SagaConfigurationError);
    expect(strict.getSagaType('Deaf')).toBe(Deaf);
  });

  it('keys sagas by their explicit sagaType and refuses a second class with the same name', () => {
    class Impostor extends Saga {
      static override readonly sagaType = 'Listener';
    }
    class Unnamed extends Saga {}
    class Inherits extends Listener {}
    const registry = new SagaRegistry().registerSaga(Listener);
    expect(() => registry.registerType(Impostor)).toThrowError(/already registered as Listener/);
    expect(() => registry.registerType(Unnamed)).toThrowError(
      /must declare its own non-empty static sagaType/,
    );
    expect(() => registry.registerType(Inherits)).toThrowError(SagaConfigurationError);
  });

  it('configures the class on registration, so a bad on(…) fails at start-up', () => {
    class Broken extends Saga {
      static override readonly sagaType = 'Broken';
      static override readonly listensTo = [OrderPlaced];
      protected override configure(): void {
        this.on(OrderPlaced, {
          send: () => new RefundPayment({ orderId: 'o' }),
          fail: true,
          complete: true,
        });
      }
    }
    expect(() => new SagaRegistry().registerSaga(Broken)).toThrowError(
      /Cannot set both 'fail' and 'complete'/,
    );
  });

  it('clear forgets everything', () => {
    const registry = new SagaRegistry().registerSaga(Listener);
    registry.clear();
    expect(registry.getSagasForEvent(OrderPlaced)).toEqual([]);
    expect(registry.getSagaType('Listener')).toBeUndefined();
  });
});

describe('CommandTypeRegistry', () => {
  const registry = new CommandTypeRegistry().register(ChargePayment, RefundPayment);

  it('rebuilds a stored command by type name, keeping its id and tracing', () => {
    const original = new ChargePayment(
      { orderId: 'o', amount: 5 },
      { correlationId: 'c', causationId: 'e' },
    );
    const rebuilt = registry.rebuild(
      'ChargePayment',
      original.toJSON() as unknown as Record<string, unknown>,
    );
    expect(rebuilt.ok).toBe(true);
    if (rebuilt.ok) {
      expect(rebuilt.command).toBeInstanceOf(ChargePayment);
      expect(rebuilt.command.equals(original)).toBe(true);
    }
  });

  it('reports an unknown type or invalid data instead of throwing', () => {
    expect(registry.rebuild('ShipOrder', {})).toEqual({
      ok: false,
      error: 'Unknown command type ShipOrder: register it in the CommandTypeRegistry',
    });
    const invalid = registry.rebuild('ChargePayment', {
      payload: { orderId: 'o', amount: 'lots' },
    });
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) expect(invalid.error).toMatch(/Could not rebuild ChargePayment: .*amount/);
  });

  it('survives a class rename: only the explicit type name matters', () => {
    const stored = new RefundPayment({ orderId: 'o' }).toJSON() as unknown as Record<
      string,
      unknown
    >;
    class RenamedRefund extends Command()('RefundPayment', { orderId: z.string() }) {}
    const rebuilt = new CommandTypeRegistry()
      .register(RenamedRefund)
      .rebuild('RefundPayment', stored);
    expect(rebuilt.ok && rebuilt.command instanceof RenamedRefund).toBe(true);
  });

  it('refuses two classes for one name, and non-classes', () => {
    class Other extends Command()('ChargePayment', { x: z.number() }) {}
    expect(() => new CommandTypeRegistry().register(ChargePayment, Other)).toThrowError(
      SagaConfigurationError,
    );
    expect(() => new CommandTypeRegistry().register(ChargePayment, ChargePayment)).not.toThrow();
    expect(registry.typeNames()).toEqual(['ChargePayment', 'RefundPayment']);
    expect(registry.has('RefundPayment')).toBe(true);
  });
});
