import { ConcurrencyError, isPdError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { inMemoryOrders, Money, Order, type OrderPaid, OrderPlaced } from './index.js';

const eur = (amount: number) => Money.of(amount, 'EUR');

describe('level 1: the order domain', () => {
  it('places, saves, loads and pays an order, recording one event per change', async () => {
    const orders = inMemoryOrders();
    const order = Order.place('customer-1', eur(4_200));
    expect(order.status).toBe('placed');
    await orders.save(order);
    expect(order.version).toBe(1);

    const loaded = await orders.getById(order.id);
    if (!loaded) throw new Error('order not stored');
    expect(loaded.total?.equals(eur(4_200))).toBe(true); // nested value object comes back as Money
    loaded.pay('payment-1', eur(4_200));
    await orders.save(loaded);

    const events = orders.pullEvents();
    expect(events.map((e) => e.eventType)).toEqual(['OrderPlaced', 'OrderPaid']);
    expect(events[0]).toBeInstanceOf(OrderPlaced);
    expect((events[1] as OrderPaid).paymentId).toBe('payment-1');
    expect((await orders.getById(order.id))?.status).toBe('paid');
  });

  it('enforces the rules with typed error codes and records nothing on a broken rule', () => {
    expect(() => Order.place('c', eur(0))).toThrow(/positive total/);
    const order = Order.place('c', eur(1_000));
    order.pullEvents();

    const mismatch = catchError(() => order.pay('p', eur(999)));
    expect(isPdError(mismatch, 'PAYMENT_MISMATCH')).toBe(true);
    order.pay('p', eur(1_000));
    expect(
      isPdError(
        catchError(() => order.pay('p', eur(1_000))),
        'ORDER_ALREADY_PAID',
      ),
    ).toBe(true);
    expect(
      isPdError(
        catchError(() => order.cancel('late')),
        'ORDER_ALREADY_PAID',
      ),
    ).toBe(true);
    expect(order.pullEvents().map((e) => e.eventType)).toEqual(['OrderPaid']);
  });

  it('money adds within one currency only', () => {
    expect(eur(150).add(eur(250)).equals(eur(400))).toBe(true);
    expect(
      isPdError(
        catchError(() => eur(1).add(Money.of(1, 'USD'))),
        'CURRENCY_MISMATCH',
      ),
    ).toBe(true);
    expect(String(eur(4_250))).toBe('42.50 EUR');
  });

  it('rejects a stale save with ConcurrencyError', async () => {
    const orders = inMemoryOrders();
    const order = Order.place('c', eur(500));
    await orders.save(order);
    const first = await orders.getById(order.id);
    const second = await orders.getById(order.id);
    if (!first || !second) throw new Error('order not stored');
    first.pay('p1', eur(500));
    await orders.save(first);
    second.cancel('changed my mind');
    await expect(orders.save(second)).rejects.toBeInstanceOf(ConcurrencyError);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
