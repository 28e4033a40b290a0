import { type AnyIntegrationEvent, IntegrationEvent } from '@pd/cqrs';
import type { AnyDomainEvent } from '@pd/ddd';
import { OrderPaid, OrderPlaced } from '@pd-examples/level1-domain';
import { z } from 'zod';

/**
 * What other systems are told. Integration events are a published contract: flat JSON, named by
 * context (`sales.…`), decoupled from the domain events, which can change freely.
 */
export class OrderPlacedMessage extends IntegrationEvent('sales.OrderPlaced', {
  orderId: z.string(),
  customerId: z.string(),
  amount: z.number().int(),
  currency: z.string(),
}) {}

export class OrderPaidMessage extends IntegrationEvent('sales.OrderPaid', {
  orderId: z.string(),
  paymentId: z.string(),
}) {}

/** Sent to us by the billing system when a customer has paid. */
export class PaymentReceived extends IntegrationEvent('billing.PaymentReceived', {
  orderId: z.string(),
  paymentId: z.string(),
  amount: z.number().int(),
  currency: z.string(),
}) {}

/** Translates a committed domain event into what the broker carries (or nothing). */
export function toIntegrationEvent(event: AnyDomainEvent): AnyIntegrationEvent | undefined {
  if (event instanceof OrderPlaced) {
    return new OrderPlacedMessage({
      orderId: event.orderId,
      customerId: event.customerId,
      amount: event.total.amount,
      currency: event.total.currency,
    });
  }
  if (event instanceof OrderPaid) {
    return new OrderPaidMessage({ orderId: event.orderId, paymentId: event.paymentId });
  }
  return undefined;
}
