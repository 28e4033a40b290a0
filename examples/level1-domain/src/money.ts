import { ValueObject } from '@pd/ddd';
import { z } from 'zod';
import { OrderError } from './orderError.js';

/**
 * An amount of money in minor units (cents), with its ISO currency code. A value object: frozen,
 * compared by value, every operation returns a new, validated instance.
 */
export class Money extends ValueObject('Money', {
  amount: z.number().int().nonnegative(),
  currency: z.string().length(3),
}) {
  static of(amount: number, currency: string): Money {
    return new Money({ amount, currency });
  }

  add(other: Money): Money {
    if (other.currency !== this.currency) {
      throw new OrderError('CURRENCY_MISMATCH', `cannot add ${other.currency} to ${this.currency}`);
    }
    return this.with({ amount: this.amount + other.amount });
  }

  override toString(): string {
    return `${(this.amount / 100).toFixed(2)} ${this.currency}`;
  }
}
