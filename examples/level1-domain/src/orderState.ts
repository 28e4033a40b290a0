import { z } from 'zod';
import { Money } from './money.js';

/**
 * The fields of an order. Every field has a default, so an order can be created empty (`{ id }`)
 * and filled by its first event: the shape an event-sourced aggregate needs (level 4).
 */
export const orderShape = {
  customerId: z.string().default(''),
  total: Money.schema().nullable().default(null),
  status: z.enum(['new', 'placed', 'paid', 'cancelled']).default('new'),
  paymentId: z.string().nullable().default(null),
};

/** Where an order is in its life. */
export type OrderStatus = 'new' | 'placed' | 'paid' | 'cancelled';
