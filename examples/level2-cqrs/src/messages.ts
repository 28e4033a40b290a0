import { Command, Query } from '@pd/cqrs';
import type { OrderStatus } from '@pd-examples/level1-domain';
import { z } from 'zod';

/** Place an order; the result is the new order's id (typed: `bus.send` returns it, no cast). */
export class PlaceOrder extends Command<{ orderId: string }>()('PlaceOrder', {
  customerId: z.string().min(1),
  amount: z.number().int(),
  currency: z.string().length(3),
}) {}

/** Pay an order in full. Sent again with the same `commandId`, it returns the first result. */
export class PayOrder extends Command<{ status: OrderStatus }>()('PayOrder', {
  orderId: z.string(),
  paymentId: z.string(),
  amount: z.number().int(),
  currency: z.string().length(3),
}) {}

/** Cancel an order that is not paid yet (cancelling twice is harmless). */
export class CancelOrder extends Command<{ status: OrderStatus }>()('CancelOrder', {
  orderId: z.string(),
  reason: z.string().min(1),
}) {}

/** What a reader sees of an order. */
export interface OrderView {
  readonly orderId: string;
  readonly customerId: string;
  readonly total: string;
  readonly status: OrderStatus;
}

/** Read one order. No unit of work: queries change nothing. */
export class GetOrder extends Query<OrderView | undefined>()('GetOrder', { orderId: z.string() }) {}
