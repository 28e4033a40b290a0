import {
  CommandBus,
  IdempotencyBehavior,
  InMemoryProcessedCommandStore,
  InMemoryUnitOfWork,
  type Logger,
  LoggingBehavior,
  QueryBus,
  type UnitOfWorkOptions,
  ValidationBehavior,
} from '@pd/cqrs';
import { DomainError } from '@pd/ddd';
import {
  inMemoryOrders,
  Money,
  Order,
  OrderError,
  type OrderRepository,
} from '@pd-examples/level1-domain';
import { CancelOrder, GetOrder, type OrderView, PayOrder, PlaceOrder } from './messages.js';

/** The currencies this shop takes; anything else is refused before a handler runs. */
export const SUPPORTED_CURRENCIES: ReadonlySet<string> = new Set(['EUR', 'USD']);

/**
 * One unit of work per command (the bus makes a fresh one each time). Enlisting the repository
 * lets the unit of work collect its events at commit and drop them on rollback.
 */
export class ShopUnitOfWork extends InMemoryUnitOfWork {
  readonly orders: OrderRepository;
  constructor(orders: OrderRepository, options: UnitOfWorkOptions = {}) {
    super(options); // level 3 passes an outbox here
    this.orders = this.track(orders);
  }
}

/** Shared by the handlers of every level that keeps orders in a repository. */
export async function placeOrder(cmd: PlaceOrder, orders: OrderRepository) {
  const order = Order.place(cmd.customerId, Money.of(cmd.amount, cmd.currency));
  await orders.save(order, { commandId: cmd.commandId });
  return { orderId: order.id };
}

export async function payOrder(cmd: PayOrder, orders: OrderRepository) {
  const order = await orders.getById(cmd.orderId);
  if (!order) throw new DomainError(`no order ${cmd.orderId}`, { code: 'ORDER_NOT_FOUND' });
  order.pay(cmd.paymentId, Money.of(cmd.amount, cmd.currency));
  await orders.save(order, { commandId: cmd.commandId });
  return { status: order.status };
}

export async function cancelOrder(cmd: CancelOrder, orders: OrderRepository) {
  const order = await orders.getById(cmd.orderId);
  if (!order) throw new DomainError(`no order ${cmd.orderId}`, { code: 'ORDER_NOT_FOUND' });
  order.cancel(cmd.reason);
  await orders.save(order, { commandId: cmd.commandId });
  return { status: order.status };
}

export function toView(order: Order): OrderView {
  return {
    orderId: order.id,
    customerId: order.customerId,
    total: String(order.total),
    status: order.status,
  };
}

/** A logger that keeps its lines, so the example (and its test) can show what was logged. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(message);
  }
  error(message: string, fields: Record<string, unknown>): void {
    this.lines.push(`${message} (${String(fields.errorCode ?? fields.error ?? 'error')})`);
  }
}

/**
 * Wires level 2: a command bus with logging → validation → idempotency around every command, a
 * query bus, and the level-1 repository behind a unit of work.
 */
export function createShop(options: { logger?: Logger } = {}) {
  const orders = inMemoryOrders();
  const processed = new InMemoryProcessedCommandStore();
  const validation = new ValidationBehavior().register(PlaceOrder, (cmd) => {
    if (!SUPPORTED_CURRENCIES.has(cmd.currency)) {
      throw new OrderError('CURRENCY_MISMATCH', `${cmd.currency} is not accepted`);
    }
  });

  const commands = new CommandBus()
    .use(new LoggingBehavior(options.logger ? { logger: options.logger } : {}))
    .use(validation)
    .use(new IdempotencyBehavior(processed));
  const uow = () => new ShopUnitOfWork(orders);
  commands.register(PlaceOrder, (cmd, u) => placeOrder(cmd, u.orders), { uow });
  commands.register(PayOrder, (cmd, u) => payOrder(cmd, u.orders), { uow });
  commands.register(CancelOrder, (cmd, u) => cancelOrder(cmd, u.orders), { uow });

  const queries = new QueryBus().register(GetOrder, async (q) => {
    const order = await orders.getById(q.orderId);
    return order && toView(order);
  });

  return { commands, queries, orders, processed };
}
