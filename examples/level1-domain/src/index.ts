/**
 * Level 1 of the pd example shop: the domain model, with no buses and no infrastructure. The higher
 * levels import it and add what their level brings.
 */
export { Money } from './money.js';
export { Order } from './order.js';
export { OrderError, type OrderErrorCode } from './orderError.js';
export {
  OrderCancelled,
  type OrderEvent,
  OrderPaid,
  OrderPlaced,
  orderEvents,
} from './orderEvents.js';
export { inMemoryOrders, type OrderRepository } from './orderRepository.js';
export { type OrderStatus, orderShape } from './orderState.js';
