import { DomainError, type Repository } from '@pd/ddd';
import { Money } from '@pd-examples/level1-domain';
import type { CancelOrder, PayOrder, PlaceOrder } from '@pd-examples/level2-cqrs';
import { Order } from './order.js';

/** Where event-sourced orders live: the same `Repository` contract as level 1. */
export type OrderRepository = Repository<Order, string>;

// The handlers read like level 2's: load, call a command method, save. Only the Order they use is
// the event-sourced one, and `save` now stages an append that the unit of work performs at commit.

export async function placeOrder(cmd: PlaceOrder, orders: OrderRepository) {
  const order = Order.place(cmd.customerId, Money.of(cmd.amount, cmd.currency));
  await orders.save(order, { commandId: cmd.commandId });
  return { orderId: order.id };
}

export async function payOrder(cmd: PayOrder, orders: OrderRepository) {
  const order = await load(orders, cmd.orderId);
  order.pay(cmd.paymentId, Money.of(cmd.amount, cmd.currency));
  await orders.save(order, { commandId: cmd.commandId });
  return { status: order.status };
}

export async function cancelOrder(cmd: CancelOrder, orders: OrderRepository) {
  const order = await load(orders, cmd.orderId);
  order.cancel(cmd.reason);
  await orders.save(order, { commandId: cmd.commandId });
  return { status: order.status };
}

async function load(orders: OrderRepository, orderId: string): Promise<Order> {
  const order = await orders.getById(orderId);
  if (!order) throw new DomainError(`no order ${orderId}`, { code: 'ORDER_NOT_FOUND' });
  return order;
}
