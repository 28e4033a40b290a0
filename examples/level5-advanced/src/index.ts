/**
 * Level 5 of the pd example shop, on PostgreSQL: snapshots, upcasting, catch-up subscriptions and
 * the order-fulfilment saga. `demo.ts` is what `pnpm demo` runs.
 */
export { type DemoOptions, type DemoSummary, runDemo } from './demo.js';
export {
  CARD_LIMIT,
  ChargePayment,
  Payment,
  PaymentCharged,
  PaymentDeclined,
  ReleaseStock,
  ReserveStock,
  StockReleased,
  StockReservation,
  StockReserved,
} from './fulfilment.js';
export { legacyOrderPlaced, orderPlacedV1toV2, shopUpcasters } from './legacy.js';
export { OrderBoardTable } from './orderBoardTable.js';
export { OrderFulfilment } from './orderFulfilment.js';
export { CommandCounter, openShop, quietLogger, type Shop, type ShopOptions } from './shop.js';
