// The order-fulfilment example of the README's "Sagas" section, run end to end (keep them in step).

import {
  CommandTypeRegistry,
  InMemorySagaRepository,
  MaxAgeRetentionPolicy,
  Saga,
  SagaManager,
  SagaRecoveryWorker,
  SagaRegistry,
  SagaRetentionWorker,
  SagaStatus,
  SagaTimeoutWorker,
} from '@pd/advanced/saga';
import { bootstrap, MessageBus } from '@pd/bus';
import { type AnyCommand, Command, CommandBus, InMemoryUnitOfWork } from '@pd/cqrs';
import { type AnyDomainEvent, DomainEvent, FixedClock } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryLogger } from './testSupport/orderFulfilment.js';

class OrderPlaced extends DomainEvent('OrderPlaced', { orderId: z.string(), total: z.number() }) {}
class StockReserved extends DomainEvent('StockReserved', { orderId: z.string() }) {}
class PaymentCharged extends DomainEvent('PaymentCharged', {
  orderId: z.string(),
  paymentId: z.string(),
}) {}
class PaymentDeclined extends DomainEvent('PaymentDeclined', {
  orderId: z.string(),
  reason: z.string(),
}) {}
class ShipmentApproved extends DomainEvent('ShipmentApproved', {
  orderId: z.string(),
  approver: z.string(),
}) {}

class ReserveStock extends Command()('ReserveStock', { orderId: z.string() }) {}
class ReleaseStock extends Command()('ReleaseStock', { orderId: z.string() }) {}
class ChargePayment extends Command()('ChargePayment', {
  orderId: z.string(),
  amount: z.number(),
}) {}
class RefundPayment extends Command()('RefundPayment', { orderId: z.string() }) {}
class RequestApproval extends Command()('RequestApproval', { orderId: z.string() }) {}
class ShipOrder extends Command()('ShipOrder', { orderId: z.string() }) {}
class NotifyCustomer extends Command()('NotifyCustomer', {
  orderId: z.string(),
  message: z.string(),
}) {}

const FulfilmentData = z.object({ total: z.number().default(0), paymentId: z.string().optional() });

class OrderFulfilment extends Saga<z.infer<typeof FulfilmentData>> {
  static override readonly sagaType = 'OrderFulfilment';
  static override readonly listensTo = [
    OrderPlaced,
    StockReserved,
    PaymentCharged,
    PaymentDeclined,
    ShipmentApproved,
  ];
  static override readonly dataSchema = FulfilmentData;
  static override readonly defaultTimeout = 24 * 3600_000;

  protected override configure(): void {
    this.on(OrderPlaced, (e) => {
      this.updateData({ total: e.total });
      this.state.setCurrentStep('reserving');
      this.dispatch(new ReserveStock({ orderId: e.orderId }));
      this.addCompensation(new ReleaseStock({ orderId: e.orderId }), 'release the stock');
    });
    this.on(StockReserved, {
      step: 'charging',
      send: (e) => new ChargePayment({ orderId: e.orderId, amount: this.data.total }),
    });
    this.on(PaymentCharged, {
      step: 'awaiting-approval',
      send: (e) => new RequestApproval({ orderId: e.orderId }),
      compensate: (e) => new RefundPayment({ orderId: e.orderId }),
      suspend: true,
      suspendReason: 'shipment approval',
    });
    this.on(ShipmentApproved, {
      resumesFrom: 'awaiting-approval',
      shouldResume: (e) => e.approver.endsWith('@shop.example'),
      step: 'shipping',
      send: (e) => new ShipOrder({ orderId: e.orderId }),
      complete: true,
    });
    this.on(PaymentDeclined, {
      send: (e) => new NotifyCustomer({ orderId: e.orderId, message: e.reason }),
      fail: true,
      failReason: (e) => `payment declined: ${e.reason}`,
    });
  }
}

const DAYS_30 = 30 * 24 * 3600_000;

function setUp(declined: boolean) {
  const sent: AnyCommand[] = [];
  const bus = new CommandBus();
  const emit =
    <TCommand extends AnyCommand>(react: (c: TCommand) => AnyDomainEvent[]) =>
    (command: TCommand, uow: InMemoryUnitOfWork) => {
      sent.push(command);
      const events = react(command);
      uow.enlist({ pullEvents: () => events });
    };
  const uow = { uow: () => new InMemoryUnitOfWork() };
  bus.register(
    ReserveStock,
    emit((c) => [new StockReserved({ orderId: c.orderId })]),
    uow,
  );
  bus.register(
    ChargePayment,
    emit((c) =>
      declined
        ? [new PaymentDeclined({ orderId: c.orderId, reason: 'card expired' })]
        : [new PaymentCharged({ orderId: c.orderId, paymentId: `pay-${c.amount}` })],
    ),
    uow,
  );
  for (const quiet of [ReleaseStock, RefundPayment, RequestApproval, ShipOrder, NotifyCustomer]) {
    bus.register(
      quiet,
      emit(() => []),
      uow,
    );
  }

  const logger = new MemoryLogger();
  const messageBus = new MessageBus({ commandBus: bus, logger });
  const registry = new SagaRegistry().registerSaga(OrderFulfilment, { strict: true });
  const commandTypes = new CommandTypeRegistry().register(
    ReserveStock,
    ReleaseStock,
    ChargePayment,
    RefundPayment,
    RequestApproval,
    ShipOrder,
    NotifyCustomer,
  );
  const repository = new InMemorySagaRepository();
  const clock = new FixedClock('2026-01-01T00:00:00Z');
  const manager = new SagaManager(repository, registry, messageBus, {
    commandTypes,
    logger,
    clock,
    retention: new MaxAgeRetentionPolicy({ maxAgeMs: DAYS_30, byStatus: { FAILED: null } }),
  });
  manager.bindTo(messageBus);
  return { sent, messageBus, manager, repository, logger, clock };
}

describe('README order-fulfilment saga', () => {
  it('reserves, charges, waits for an authorised approval, then ships', async () => {
    const { sent, messageBus, manager, repository, logger } = setUp(false);
    const orderId = 'order-42';
    await messageBus.publish(new OrderPlaced({ orderId, total: 4200 }, { correlationId: orderId }));
    expect(sent.map((c) => c.commandType)).toEqual([
      'ReserveStock',
      'ChargePayment',
      'RequestApproval',
    ]);
    expect(sent[1]).toMatchObject({ amount: 4200 });
    expect((await repository.findByCorrelationId(orderId, 'OrderFulfilment'))?.status).toBe(
      SagaStatus.SUSPENDED,
    );

    await messageBus.publish(
      new ShipmentApproved(
        { orderId, approver: 'mallory@evil.example' },
        { correlationId: orderId },
      ),
    );
    await messageBus.publish(
      new ShipmentApproved({ orderId, approver: 'ana@shop.example' }, { correlationId: orderId }),
    );
    expect(sent.map((c) => c.commandType).slice(3)).toEqual(['ShipOrder']);
    const state = await repository.findByCorrelationId(orderId, 'OrderFulfilment');
    expect(state?.status).toBe(SagaStatus.COMPLETED);

    const app = await bootstrap({
      bus: messageBus,
      logger,
      workers: [
        new SagaTimeoutWorker(manager),
        new SagaRecoveryWorker(manager),
        new SagaRetentionWorker(manager),
      ],
    });
    await app.shutdown();
  });

  it('removes the finished saga 30 days after its last change, not before', async () => {
    const { messageBus, manager, repository, clock } = setUp(true);
    await messageBus.publish(
      new OrderPlaced({ orderId: 'o-1', total: 10 }, { correlationId: 'o-1' }),
    );
    clock.advance(DAYS_30);
    expect((await manager.pruneFinished()).removed).toBe(0);
    clock.advance(1);
    expect((await manager.pruneFinished()).removed).toBe(1);
    expect(await repository.findByCorrelationId('o-1', 'OrderFulfilment')).toBeUndefined();
  });

  it('notifies the customer and releases the stock when the payment is declined', async () => {
    const { sent, messageBus, repository } = setUp(true);
    await messageBus.publish(
      new OrderPlaced({ orderId: 'o-1', total: 10 }, { correlationId: 'o-1' }),
    );
    expect(sent.map((c) => c.commandType)).toEqual([
      'ReserveStock',
      'ChargePayment',
      'NotifyCustomer',
      'ReleaseStock',
    ]);
    const state = await repository.findByCorrelationId('o-1', 'OrderFulfilment');
    expect(state?.status).toBe(SagaStatus.COMPENSATED);
    expect(state?.error).toBe('payment declined: card expired');
  });
});
