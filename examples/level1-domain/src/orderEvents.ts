import { DomainEvent } from '@pd/ddd';
import { z } from 'zod';
import { Money } from './money.js';

/**
 * An order was placed. Schema version 2: the first release stored `amountCents` without a
 * currency; `examples/level5-advanced` shows the upcaster that still reads those old events.
 */
export class OrderPlaced extends DomainEvent(
  'OrderPlaced',
  { orderId: z.string(), customerId: z.string(), total: Money.schema() },
  { schemaVersion: 2 },
) {}

/** The customer paid the order in full. */
export class OrderPaid extends DomainEvent('OrderPaid', {
  orderId: z.string(),
  paymentId: z.string(),
  amount: Money.schema(),
}) {}

/** The order was cancelled before it was paid. */
export class OrderCancelled extends DomainEvent('OrderCancelled', {
  orderId: z.string(),
  reason: z.string(),
}) {}

/** Every event an order records. */
export type OrderEvent = OrderPlaced | OrderPaid | OrderCancelled;

/** The event classes, for registries and event-sourced aggregates. */
export const orderEvents = [OrderPlaced, OrderPaid, OrderCancelled] as const;
