/**
 * Level 3 of the pd example shop: the level-2 commands on a `MessageBus` with event handlers, a
 * transactional outbox relayed to a broker, an inbound gateway, and `bootstrap`.
 */
export {
  OrderPaidMessage,
  OrderPlacedMessage,
  PaymentReceived,
  toIntegrationEvent,
} from './integrationEvents.js';
export {
  createShop,
  type Mailer,
  MemoryBusLogger,
  MemoryMailer,
  type ShopOptions,
} from './shop.js';
