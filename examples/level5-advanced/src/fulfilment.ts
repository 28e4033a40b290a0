import { Command } from '@pd/cqrs';
import { DomainError, DomainEvent } from '@pd/ddd';
import { EventSourcedAggregateRoot } from '@pd/eventsourcing';
import { Money } from '@pd-examples/level1-domain';
import { z } from 'zod';

// Two more bounded contexts the order-fulfilment saga coordinates: the warehouse (stock
// reservations) and payments. Each is a small event-sourced aggregate with its commands.

export class StockReserved extends DomainEvent('StockReserved', { orderId: z.string() }) {}
export class StockReleased extends DomainEvent('StockReleased', { orderId: z.string() }) {}

/** The stock held for one order; its id is the order id. */
export class StockReservation extends EventSourcedAggregateRoot(
  'StockReservation',
  {
    orderId: z.string().default(''),
    status: z.enum(['none', 'reserved', 'released']).default('none'),
  },
  {
    events: [StockReserved, StockReleased],
    apply: {
      StockReserved: (_r, e) => ({ orderId: e.orderId, status: 'reserved' }),
      StockReleased: () => ({ status: 'released' }),
    },
  },
) {
  static reserve(orderId: string): StockReservation {
    const reservation = new StockReservation({ id: orderId });
    reservation.record(new StockReserved({ orderId }));
    return reservation;
  }

  release(): void {
    if (this.status !== 'reserved') return; // releasing twice is harmless (compensations may repeat)
    this.record(new StockReleased({ orderId: this.orderId }));
  }
}

export class PaymentCharged extends DomainEvent('PaymentCharged', {
  orderId: z.string(),
  paymentId: z.string(),
  amount: Money.schema(),
}) {}
export class PaymentDeclined extends DomainEvent('PaymentDeclined', {
  orderId: z.string(),
  reason: z.string(),
}) {}

/** Amounts above this (in minor units) are declined by the card issuer of this example. */
export const CARD_LIMIT = 100_000;

/** One attempt to charge a customer for an order. A decline is an outcome, recorded as an event. */
export class Payment extends EventSourcedAggregateRoot(
  'Payment',
  {
    orderId: z.string().default(''),
    status: z.enum(['new', 'charged', 'declined']).default('new'),
  },
  {
    events: [PaymentCharged, PaymentDeclined],
    apply: {
      PaymentCharged: (_p, e) => ({ orderId: e.orderId, status: 'charged' }),
      PaymentDeclined: (_p, e) => ({ orderId: e.orderId, status: 'declined' }),
    },
  },
) {
  static charge(orderId: string, amount: Money): Payment {
    if (amount.amount <= 0) throw new DomainError('nothing to charge');
    const payment = new Payment({});
    if (amount.amount > CARD_LIMIT) {
      payment.record(new PaymentDeclined({ orderId, reason: `${amount} is over the card limit` }));
    } else {
      payment.record(new PaymentCharged({ orderId, paymentId: payment.id, amount }));
    }
    return payment;
  }
}

export class ReserveStock extends Command()('ReserveStock', { orderId: z.string() }) {}
export class ReleaseStock extends Command()('ReleaseStock', { orderId: z.string() }) {}
export class ChargePayment extends Command()('ChargePayment', {
  orderId: z.string(),
  amount: z.number().int(),
  currency: z.string().length(3),
}) {}
