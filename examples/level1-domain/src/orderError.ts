import { DomainError } from '@pd/ddd';

/** The rules an order can break, as stable codes callers branch on (`isPdError(e, 'ORDER_NOT_PLACED')`). */
export type OrderErrorCode =
  | 'CURRENCY_MISMATCH'
  | 'INVALID_TOTAL'
  | 'ORDER_NOT_PLACED'
  | 'ORDER_ALREADY_PAID'
  | 'PAYMENT_MISMATCH';

/** A broken order rule. */
export class OrderError extends DomainError<OrderErrorCode> {
  constructor(code: OrderErrorCode, message: string) {
    super(message, { code });
  }
}
