import { CommandExecutionError } from '@pd/cqrs';
import { describe, expect, it } from 'vitest';
import { createShop, GetOrder, MemoryLogger, PayOrder, PlaceOrder } from './index.js';

describe('level 2: commands and queries', () => {
  it('places and pays an order through the buses and reads it back', async () => {
    const logger = new MemoryLogger();
    const shop = createShop({ logger });

    const { orderId } = await shop.commands.send(
      new PlaceOrder({ customerId: 'ada', amount: 4_200, currency: 'EUR' }),
    );
    const { result, events } = await shop.commands.dispatch(
      new PayOrder({ orderId, paymentId: 'pay-1', amount: 4_200, currency: 'EUR' }),
    );

    expect(result).toEqual({ status: 'paid' });
    expect(events.map((e) => e.eventType)).toEqual(['OrderPaid']);
    expect(await shop.queries.ask(new GetOrder({ orderId }))).toEqual({
      orderId,
      customerId: 'ada',
      total: '42.00 EUR',
      status: 'paid',
    });
    expect(logger.lines.filter((l) => l.startsWith('handled'))).toHaveLength(2);
  });

  it('stamps committed events with the command as cause and correlation', async () => {
    const shop = createShop({ logger: new MemoryLogger() });
    const place = new PlaceOrder({ customerId: 'ada', amount: 100, currency: 'USD' });
    const { events } = await shop.commands.dispatch(place);
    expect(events[0]?.correlationId).toBe(place.commandId);
    expect(events[0]?.causationId).toBe(place.commandId);
  });

  it('refuses an unsupported currency before the handler runs, leaving no order', async () => {
    const logger = new MemoryLogger();
    const shop = createShop({ logger });
    const error = await shop.commands
      .send(new PlaceOrder({ customerId: 'ada', amount: 100, currency: 'GBP' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandExecutionError);
    expect((error as CommandExecutionError).causeCode).toBe('CURRENCY_MISMATCH');
    expect(shop.orders.size).toBe(0);
    expect(logger.lines.at(-1)).toMatch(/^failed command PlaceOrder .*\(CURRENCY_MISMATCH\)$/);
  });

  it('runs a repeated command id once and returns the first result', async () => {
    const shop = createShop({ logger: new MemoryLogger() });
    const { orderId } = await shop.commands.send(
      new PlaceOrder({ customerId: 'ada', amount: 700, currency: 'EUR' }),
    );
    const pay = new PayOrder({ orderId, paymentId: 'pay-1', amount: 700, currency: 'EUR' });
    expect(await shop.commands.send(pay)).toEqual({ status: 'paid' });
    // A client retry (same commandId) would otherwise fail with ORDER_ALREADY_PAID.
    expect(await shop.commands.send(pay)).toEqual({ status: 'paid' });
    expect(await shop.processed.contains(pay.commandId)).toBe(true);
    expect((await shop.orders.getById(orderId))?.version).toBe(2);

    const again = new PayOrder({ orderId, paymentId: 'pay-2', amount: 700, currency: 'EUR' });
    await expect(shop.commands.send(again)).rejects.toMatchObject({
      causeCode: 'ORDER_ALREADY_PAID',
    });
  });
});
