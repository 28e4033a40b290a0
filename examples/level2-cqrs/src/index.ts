/**
 * Level 2 of the pd example shop: the level-1 domain behind commands and queries, with logging,
 * validation and idempotency around every command and a unit of work per command.
 */
export { CancelOrder, GetOrder, type OrderView, PayOrder, PlaceOrder } from './messages.js';
export {
  cancelOrder,
  createShop,
  MemoryLogger,
  payOrder,
  placeOrder,
  ShopUnitOfWork,
  SUPPORTED_CURRENCIES,
  toView,
} from './shop.js';
