// Test-only fixtures shared by the saga tests (not exported from the package).

import {
  type AnySaga,
  CommandTypeRegistry,
  InMemorySagaRepository,
  Saga,
  type SagaClass,
  type SagaLogger,
  SagaManager,
  type SagaManagerOptions,
  SagaRegistry,
} from '@pd/advanced/saga';
import { type AnyCommand, Command, CommandBus, InMemoryUnitOfWork } from '@pd/cqrs';
import { type AnyDomainEvent, DomainEvent, FixedClock } from '@pd/ddd';
import { z } from 'zod';

export class OrderPlaced extends DomainEvent('OrderPlaced', {
  orderId: z.string(),
  amount: z.number(),
}) {}
export class StockReserved extends DomainEvent('StockReserved', { orderId: z.string() }) {}
export class StockUnavailable extends DomainEvent('StockUnavailable', { orderId: z.string() }) {}
export class PaymentCharged extends DomainEvent('PaymentCharged', {
  orderId: z.string(),
  paymentId: z.string(),
}) {}
export class PaymentDeclined extends DomainEvent('PaymentDeclined', {
  orderId: z.string(),
  reason: z.string(),
}) {}
export class OrderShipped extends DomainEvent('OrderShipped', { orderId: z.string() }) {}
export class ApprovalGranted extends DomainEvent('ApprovalGranted', {
  orderId: z.string(),
  approver: z.string(),
}) {}
export class Unrelated extends DomainEvent('Unrelated', { orderId: z.string() }) {}

export class ReserveStock extends Command()('ReserveStock', { orderId: z.string() }) {}
export class ReleaseStock extends Command()('ReleaseStock', { orderId: z.string() }) {}
export class ChargePayment extends Command()('ChargePayment', {
  orderId: z.string(),
  amount: z.number(),
}) {}
export class RefundPayment extends Command()('RefundPayment', { orderId: z.string() }) {}
export class ShipOrder extends Command()('ShipOrder', { orderId: z.string() }) {}
export class NotifyCustomer extends Command()('NotifyCustomer', {
  orderId: z.string(),
  message: z.string(),
}) {}
export class RequestApproval extends Command()('RequestApproval', { orderId: z.string() }) {}

export const ALL_COMMANDS = [
  ReserveStock,
  ReleaseStock,
  ChargePayment,
  RefundPayment,
  ShipOrder,
  NotifyCustomer,
  RequestApproval,
] as const;

export const OrderData = z.object({
  orderId: z.string().optional(),
  paymentId: z.string().optional(),
});

/**
 * Reserve stock → charge → ship (complete). A declined payment fails declaratively (notifying the
 * customer), compensating newest first.
 */
export class OrderFulfilment extends Saga<z.infer<typeof OrderData>> {
  static override readonly sagaType: string = 'OrderFulfilment';
  static override readonly listensTo = [
    OrderPlaced,
    StockReserved,
    StockUnavailable,
    PaymentCharged,
    PaymentDeclined,
  ];
  static override readonly dataSchema = OrderData;

  protected override configure(): void {
    this.on(OrderPlaced, {
      step: 'reserving',
      send: (e) => new ReserveStock({ orderId: e.orderId }),
      compensate: (e) => new ReleaseStock({ orderId: e.orderId }),
      compensateDescription: (e) => `release stock of ${e.orderId}`,
    });
    this.on(StockReserved, {
      step: 'charging',
      send: (e) => new ChargePayment({ orderId: e.orderId, amount: 100 }),
      compensate: (e) => new RefundPayment({ orderId: e.orderId }),
    });
    this.on(PaymentCharged, (e) => {
      this.updateData({ orderId: e.orderId, paymentId: e.paymentId });
      this.state.setCurrentStep('shipping');
      this.dispatch(new ShipOrder({ orderId: e.orderId }));
      this.complete();
    });
    this.on(PaymentDeclined, {
      step: 'declined',
      send: (e) => new NotifyCustomer({ orderId: e.orderId, message: e.reason }),
      fail: true,
      failReason: (e) => `payment declined: ${e.reason}`,
    });
    this.on(StockUnavailable, () => {
      throw new Error('no stock');
    });
  }
}

/** What a command handler does: the events it commits (or an error to throw). */
export type Reaction = (command: AnyCommand) => AnyDomainEvent[] | Error;

export const defaultReactions: Record<string, Reaction> = {
  ReserveStock: (c) => [new StockReserved({ orderId: (c as ReserveStock).orderId })],
  ChargePayment: (c) => [
    new PaymentCharged({ orderId: (c as ChargePayment).orderId, paymentId: 'pay-1' }),
  ],
  ShipOrder: (c) => [new OrderShipped({ orderId: (c as ShipOrder).orderId })],
};

/** A logger that keeps lines instead of printing them. */
export class MemoryLogger implements SagaLogger {
  readonly lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  info(message: string, fields: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

export interface Harness {
  readonly bus: CommandBus;
  readonly repository: InMemorySagaRepository;
  readonly registry: SagaRegistry;
  readonly commandTypes: CommandTypeRegistry;
  readonly manager: SagaManager;
  readonly clock: FixedClock;
  readonly logger: MemoryLogger;
  /** Every command a handler received, in order. */
  readonly sent: AnyCommand[];
  /** Replace what a command type does (e.g. make it fail). */
  readonly reactions: Record<string, Reaction>;
  /** Names of the commands sent, in order. */
  sentTypes(): string[];
}

/** A bare CommandBus (no MessageBus) whose handlers commit the events their reaction returns. */
export function harness(
  options: {
    sagas?: readonly SagaClass<AnySaga>[];
    manager?: Partial<SagaManagerOptions>;
    reactions?: Record<string, Reaction>;
  } = {},
): Harness {
  const clock = new FixedClock('2026-01-01T00:00:00Z');
  const logger = new MemoryLogger();
  const sent: AnyCommand[] = [];
  const reactions: Record<string, Reaction> = { ...defaultReactions, ...options.reactions };
  const bus = new CommandBus();
  for (const commandClass of ALL_COMMANDS) {
    bus.register(
      commandClass,
      (command: AnyCommand, uow) => {
        sent.push(command);
        const reaction = reactions[command.commandType];
        const outcome = reaction === undefined ? [] : reaction(command);
        if (outcome instanceof Error) throw outcome;
        uow.enlist({ pullEvents: () => outcome });
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
  }
  const registry = new SagaRegistry({ warn: (message, fields) => logger.warn(message, fields) });
  for (const sagaClass of options.sagas ?? [OrderFulfilment]) registry.registerSaga(sagaClass);
  const commandTypes = new CommandTypeRegistry().register(...ALL_COMMANDS);
  const repository = new InMemorySagaRepository();
  const manager = new SagaManager(repository, registry, bus, {
    commandTypes,
    clock,
    logger,
    ...options.manager,
  });
  return {
    bus,
    repository,
    registry,
    commandTypes,
    manager,
    clock,
    logger,
    sent,
    reactions,
    sentTypes: () => sent.map((c) => c.commandType),
  };
}

/** An OrderPlaced event correlated with its order id. */
export function orderPlaced(orderId = 'order-1'): OrderPlaced {
  return new OrderPlaced({ orderId, amount: 100 }, { correlationId: orderId });
}
