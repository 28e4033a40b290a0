/**
 * Level 4 of the pd example shop: the same order, event-sourced; an event store; a projection.
 */
export { cancelOrder, type OrderRepository, payOrder, placeOrder } from './handlers.js';
export { Order } from './order.js';
export { OrderBoard } from './orderBoard.js';
export { catchUp, createShop, EventSourcedShopUnitOfWork } from './shop.js';
