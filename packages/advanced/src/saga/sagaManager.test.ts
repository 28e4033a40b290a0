import {
  Saga,
  type SagaLock,
  SagaManager,
  type SagaRepository,
  SagaStatus,
} from '@pd/advanced/saga';
import { MessageBus } from '@pd/bus';
import { Command, InMemoryUnitOfWork } from '@pd/cqrs';
import { type AnyDomainEvent, DomainEvent, isPdError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ApprovalGranted,
  ChargePayment,
  harness,
  NotifyCustomer,
  OrderFulfilment,
  OrderPlaced,
  orderPlaced,
  PaymentDeclined,
  RequestApproval,
  StockUnavailable,
  Unrelated,
} from './testSupport/orderFulfilment.js';

async function stateOf(
  h: ReturnType<typeof harness>,
  orderId = 'order-1',
  type = 'OrderFulfilment',
) {
  const state = await h.repository.findByCorrelationId(orderId, type);
  if (state === undefined) throw new Error('no saga state');
  return state;
}

describe('SagaManager flows', () => {
  it('runs the happy path on a bare CommandBus: committed events advance the saga by themselves', async () => {
    const h = harness();
    await h.manager.handle(orderPlaced());

    expect(h.sentTypes()).toEqual(['ReserveStock', 'ChargePayment', 'ShipOrder']);
    const state = await stateOf(h);
    expect(state.status).toBe(SagaStatus.COMPLETED);
    expect(state.stepHistory.map((s) => [s.stepName, s.eventType])).toEqual([
      ['reserving', 'OrderPlaced'],
      ['charging', 'StockReserved'],
      ['shipping', 'PaymentCharged'],
    ]);
    expect(state.compensationStack).toEqual([]);
    expect(state.pendingCommands).toEqual([]);
    expect(state.data).toEqual({ orderId: 'order-1', paymentId: 'pay-1' });
    expect(state.completedAt).toEqual(h.clock.now());
  });

  it('compensates newest first when a step fails declaratively, and still sends the failing step command', async () => {
    const h = harness({
      reactions: {
        ChargePayment: (c) => [
          new PaymentDeclined({ orderId: (c as ChargePayment).orderId, reason: 'card expired' }),
        ],
      },
    });
    await h.manager.handle(orderPlaced());

    expect(h.sentTypes()).toEqual([
      'ReserveStock',
      'ChargePayment',
      'NotifyCustomer',
      'RefundPayment',
      'ReleaseStock',
    ]);
    const state = await stateOf(h);
    expect(state.status).toBe(SagaStatus.COMPENSATED);
    expect(state.error).toBe('payment declined: card expired');
    expect(state.compensationStack).toEqual([]);
    expect(state.failedCompensations).toEqual([]);
  });

  it('fails and compensates when a handler throws; the event is consumed', async () => {
    const h = harness({
      reactions: {
        ReserveStock: (c) => [new StockUnavailable({ orderId: (c as ChargePayment).orderId })],
      },
    });
    await h.manager.handle(orderPlaced());

    expect(h.sentTypes()).toEqual(['ReserveStock', 'ReleaseStock']);
    const state = await stateOf(h);
    expect(state.status).toBe(SagaStatus.COMPENSATED);
    expect(state.error).toBe('no stock');
    expect(state.processedEventIds).toHaveLength(2);
  });

  it('records a compensation that cannot be sent and ends FAILED', async () => {
    const h = harness({
      reactions: {
        ChargePayment: (c) => [
          new PaymentDeclined({ orderId: (c as ChargePayment).orderId, reason: 'no funds' }),
        ],
        RefundPayment: () => new Error('bank offline'),
      },
    });
    await h.manager.handle(orderPlaced());

    expect(h.sentTypes()).toEqual([
      'ReserveStock',
      'ChargePayment',
      'NotifyCustomer',
      'RefundPayment',
      'ReleaseStock',
    ]);
    const state = await stateOf(h);
    expect(state.status).toBe(SagaStatus.FAILED);
    expect(state.failedCompensations).toHaveLength(1);
    expect(state.failedCompensations[0]?.commandType).toBe('RefundPayment');
    expect(state.failedCompensations[0]?.error).toContain('bank offline');
  });

  it('traces forward commands to the triggering event and compensations to the saga', async () => {
    const h = harness({
      reactions: {
        ChargePayment: (c) => [
          new PaymentDeclined({ orderId: (c as ChargePayment).orderId, reason: 'x' }),
        ],
      },
    });
    const placed = orderPlaced();
    await h.manager.handle(placed);
    const state = await stateOf(h);

    const [reserve, charge, notify, refund, release] = h.sent;
    expect(reserve?.correlationId).toBe('order-1');
    expect(reserve?.causationId).toBe(placed.eventId);
    const reservedEventId = state.stepHistory.find(
      (s) => s.eventType === 'StockReserved',
    )?.causationId;
    expect(charge?.causationId).toBe(reservedEventId);
    expect(notify?.causationId).toBe(
      state.stepHistory.find((s) => s.eventType === 'PaymentDeclined')?.causationId,
    );
    for (const compensation of [refund, release]) {
      expect(compensation?.correlationId).toBe('order-1');
      expect(compensation?.causationId).toBe(state.id);
    }
    expect(new Set(h.sent.map((c) => c.commandId)).size).toBe(5);
  });

  it('ignores a duplicate event and start() is idempotent', async () => {
    const h = harness({ reactions: { ReserveStock: () => [] } });
    const placed = orderPlaced();
    const id1 = await h.manager.start(OrderFulfilment, placed);
    await h.manager.handle(placed);
    const id2 = await h.manager.start(OrderFulfilment, placed);

    expect(id2).toBe(id1);
    expect(h.sentTypes()).toEqual(['ReserveStock']);
    expect((await stateOf(h)).stepHistory).toHaveLength(1);
  });

  it('ignores events without correlation id, with a warning', async () => {
    const h = harness();
    await h.manager.handle(new OrderPlaced({ orderId: 'x', amount: 1 }));
    expect(h.sent).toEqual([]);
    expect(h.repository.size).toBe(0);
    expect(
      h.logger.lines.some((l) => l.level === 'warn' && l.message.includes('correlation')),
    ).toBe(true);
  });

  it('start() without any correlation id mints one and the loop still closes', async () => {
    const h = harness();
    const id = await h.manager.start(OrderFulfilment, new OrderPlaced({ orderId: 'o', amount: 1 }));
    const state = await h.repository.getById(id);
    expect(state?.status).toBe(SagaStatus.COMPLETED);
    expect(h.sent.every((c) => c.correlationId === state?.correlationId)).toBe(true);
  });
});

class Ping extends DomainEvent('Ping', { orderId: z.string() }) {}
class Pong extends DomainEvent('Pong', { orderId: z.string() }) {}
class DoPing extends Command()('DoPing', { n: z.number() }) {}

describe('SagaManager concurrency', () => {
  class TwoEvents extends Saga {
    static override readonly sagaType = 'TwoEvents';
    static override readonly listensTo = [Ping, Pong];
    protected override configure(): void {
      this.on(Ping, { step: 'pinged', send: () => new DoPing({ n: 1 }) });
      this.on(Pong, { step: 'ponged', send: () => new DoPing({ n: 2 }) });
    }
  }

  function twoEventsHarness(lock?: SagaLock, retryOnConflict?: number) {
    const h = harness({
      sagas: [TwoEvents],
      manager: {
        ...(lock ? { lock } : {}),
        ...(retryOnConflict === undefined ? {} : { retryOnConflict }),
        errorPolicy: 'throw',
      },
    });
    const pinged: number[] = [];
    h.commandTypes.register(DoPing);
    h.bus.register(DoPing, (c) => void pinged.push(c.n), { uow: () => new InMemoryUnitOfWork() });
    return { h, pinged };
  }

  const events = (): AnyDomainEvent[] => [
    new Ping({ orderId: 'o' }, { correlationId: 'c-1' }),
    new Pong({ orderId: 'o' }, { correlationId: 'c-1' }),
  ];

  it('serialises two concurrent events on one saga (per-saga lock)', async () => {
    const { h, pinged } = twoEventsHarness();
    await Promise.all(events().map((e) => h.manager.handle(e)));
    const state = await stateOf(h, 'c-1', 'TwoEvents');
    expect(state.stepHistory.map((s) => s.eventType).sort()).toEqual(['Ping', 'Pong']);
    expect(pinged.sort()).toEqual([1, 2]);
    expect(h.repository.size).toBe(1);
  });

  const noLock: SagaLock = { run: (_key, fn) => fn() };

  it('without a lock, the repository detects the conflict…', async () => {
    const { h } = twoEventsHarness(noLock, 0);
    const results = await Promise.allSettled(events().map((e) => h.manager.handle(e)));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(isPdError((rejected[0] as PromiseRejectedResult).reason, 'SAGA_PROCESSING')).toBe(true);
    const cause = ((rejected[0] as PromiseRejectedResult).reason as Error).cause;
    expect(isPdError(cause, 'CONCURRENCY')).toBe(true);
  });

  it('…and retry on conflict reloads and re-runs the event, losing nothing', async () => {
    const { h, pinged } = twoEventsHarness(noLock, 3);
    await Promise.all(events().map((e) => h.manager.handle(e)));
    const state = await stateOf(h, 'c-1', 'TwoEvents');
    expect(state.stepHistory.map((s) => s.eventType).sort()).toEqual(['Ping', 'Pong']);
    expect(pinged.sort()).toEqual([1, 2]);
  });
});

describe('SagaManager suspend, resume and timeouts', () => {
  class Approval extends Saga {
    static override readonly sagaType = 'Approval';
    static override readonly listensTo = [OrderPlaced, ApprovalGranted, Unrelated];
    protected override configure(): void {
      this.on(OrderPlaced, {
        step: 'awaiting-approval',
        send: (e) => new RequestApproval({ orderId: e.orderId }),
        compensate: (e) =>
          new NotifyCustomer({ orderId: e.orderId, message: 'approval cancelled' }),
        suspend: true,
        suspendReason: 'manager approval',
        suspendTimeout: 60_000,
      });
      this.on(ApprovalGranted, {
        resumesFrom: 'awaiting-approval',
        shouldResume: (e) => e.approver === 'boss',
        step: 'charging',
        send: (e) => new ChargePayment({ orderId: e.orderId, amount: 5 }),
        complete: true,
      });
      this.on(Unrelated, (e) =>
        this.dispatch(new NotifyCustomer({ orderId: e.orderId, message: 'hi' })),
      );
    }
  }
  const granted = (approver: string) =>
    new ApprovalGranted({ orderId: 'order-1', approver }, { correlationId: 'order-1' });

  it('stays suspended until an authorised event arrives at the right step', async () => {
    const h = harness({ sagas: [Approval] });
    await h.manager.handle(orderPlaced());
    let state = await stateOf(h, 'order-1', 'Approval');
    expect(state.status).toBe(SagaStatus.SUSPENDED);
    expect(state.suspensionReason).toBe('manager approval');
    expect(state.timeoutAt).toEqual(new Date(h.clock.now().getTime() + 60_000));

    const intern = granted('intern');
    await h.manager.handle(intern);
    await h.manager.handle(new Unrelated({ orderId: 'order-1' }, { correlationId: 'order-1' }));
    state = await stateOf(h, 'order-1', 'Approval');
    expect(state.status).toBe(SagaStatus.SUSPENDED);
    expect(state.isEventProcessed(intern.eventId)).toBe(false);
    expect(h.sentTypes()).toEqual(['RequestApproval']);

    await h.manager.handle(granted('boss'));
    state = await stateOf(h, 'order-1', 'Approval');
    expect(state.status).toBe(SagaStatus.COMPLETED);
    expect(h.sentTypes()).toEqual(['RequestApproval', 'ChargePayment']);
  });

  it('fires the timeout by the injected clock, failing with compensation', async () => {
    const h = harness({ sagas: [Approval] });
    await h.manager.handle(orderPlaced());

    h.clock.advance(59_999);
    expect((await h.manager.processTimeouts()).processed).toEqual([]);
    h.clock.advance(1);
    const result = await h.manager.processTimeouts();
    const state = await stateOf(h, 'order-1', 'Approval');
    expect(result.processed).toEqual([state.id]);
    expect(state.status).toBe(SagaStatus.COMPENSATED);
    expect(state.error).toBe('Saga timed out while suspended for: manager approval');
    const notify = h.sent[1];
    expect(notify?.commandType).toBe('NotifyCustomer');
    expect(notify?.causationId).toBe(state.id);
  });

  it('uses the class default timeout unless the step says null (never expire)', async () => {
    class Defaulted extends Saga {
      static override readonly sagaType = 'Defaulted';
      static override readonly listensTo = [OrderPlaced, Unrelated];
      static override readonly defaultTimeout = 5_000;
      protected override configure(): void {
        this.on(OrderPlaced, {
          send: (e) => new RequestApproval({ orderId: e.orderId }),
          suspend: true,
        });
        this.on(Unrelated, {
          send: (e) => new RequestApproval({ orderId: e.orderId }),
          suspend: true,
          suspendTimeout: null,
        });
      }
    }
    const h = harness({ sagas: [Defaulted] });
    await h.manager.handle(orderPlaced('a'));
    await h.manager.handle(new Unrelated({ orderId: 'b' }, { correlationId: 'b' }));
    const a = await stateOf(h, 'a', 'Defaulted');
    const b = await stateOf(h, 'b', 'Defaulted');
    expect(a.timeoutAt).toEqual(new Date(h.clock.now().getTime() + 5_000));
    expect(a.suspensionReason).toBe('Suspended at step unknown');
    expect(b.timeoutAt).toBeNull();

    h.clock.advance(365 * 24 * 3600 * 1000);
    await h.manager.processTimeouts();
    expect((await stateOf(h, 'a', 'Defaulted')).status).toBe(SagaStatus.FAILED);
    expect((await stateOf(h, 'b', 'Defaulted')).status).toBe(SagaStatus.SUSPENDED);
  });

  it('lets onTimeout extend the suspension; a handler that throws fails the saga', async () => {
    class Patient extends Saga {
      static override readonly sagaType = 'Patient';
      static override readonly listensTo = [OrderPlaced];
      protected override configure(): void {
        this.on(OrderPlaced, {
          send: (e) => new RequestApproval({ orderId: e.orderId }),
          suspend: true,
          suspendTimeout: 10,
        });
      }
      override async onTimeout(): Promise<void> {
        if (this.state.metadata.extended === true) throw new Error('gave up');
        this.state.setMetadata({ extended: true });
        this.dispatch(new RequestApproval({ orderId: 'again' }));
        this.suspend('second chance', 10);
      }
    }
    const h = harness({ sagas: [Patient] });
    await h.manager.handle(orderPlaced());
    h.clock.advance(10);
    await h.manager.processTimeouts();
    let state = await stateOf(h, 'order-1', 'Patient');
    expect(state.status).toBe(SagaStatus.SUSPENDED);
    expect(state.suspensionReason).toBe('second chance');
    expect(h.sent.map((c) => [c.commandType, c.causationId])).toEqual([
      ['RequestApproval', expect.any(String)],
      ['RequestApproval', state.id],
    ]);

    h.clock.advance(10);
    await h.manager.processTimeouts();
    state = await stateOf(h, 'order-1', 'Patient');
    expect(state.status).toBe(SagaStatus.FAILED);
    expect(state.error).toBe('Timeout handler failed: gave up');
    expect(state.metadata.extended).toBe(true);
  });
});

describe('SagaManager crash recovery', () => {
  it('re-sends a command logged before a crash, with its original id, and the saga carries on', async () => {
    const h = harness();
    let crashed = false;
    const dying = {
      dispatch: async () => {
        crashed = true;
        throw new Error('process died');
      },
    };
    // Nothing is written once the process has "died".
    const repository: SagaRepository = {
      save: async (state, options) => {
        if (crashed) throw new Error('process died');
        return h.repository.save(state, options);
      },
      getById: (id) => h.repository.getById(id),
      findByCorrelationId: (cid, type) => h.repository.findByCorrelationId(cid, type),
      findStalled: (limit) => h.repository.findStalled(limit),
      findSuspended: (limit) => h.repository.findSuspended(limit),
      findExpiredSuspended: (now, limit) => h.repository.findExpiredSuspended(now, limit),
    };
    const doomed = new SagaManager(repository, h.registry, dying, {
      commandTypes: h.commandTypes,
      clock: h.clock,
      logger: h.logger,
    });
    await doomed.handle(orderPlaced());

    const stalled = await h.repository.findStalled();
    expect(stalled).toHaveLength(1);
    const logged = stalled[0]?.pendingCommands[0];
    expect(logged).toMatchObject({ commandType: 'ReserveStock', dispatched: false });

    const result = await h.manager.recoverPendingSagas();
    expect(result.failed).toEqual([]);
    expect(h.sentTypes()).toEqual(['ReserveStock', 'ChargePayment', 'ShipOrder']);
    expect(h.sent[0]?.commandId).toBe(logged?.data.commandId);
    expect(h.sent[0]?.causationId).toBe(stalled[0]?.id);
    expect((await stateOf(h)).status).toBe(SagaStatus.COMPLETED);
    expect(await h.repository.findStalled()).toEqual([]);
  });
});

describe('SagaManager with a MessageBus', () => {
  function onMessageBus(feedBackEvents: boolean) {
    const h = harness();
    const messageBus = new MessageBus({ commandBus: h.bus, logger: h.logger });
    const manager = new SagaManager(h.repository, h.registry, messageBus, {
      commandTypes: h.commandTypes,
      clock: h.clock,
      logger: h.logger,
      feedBackEvents,
    });
    manager.bindTo(messageBus).bindTo(messageBus);
    return { h, messageBus };
  }

  it('binds once per listened event type, however often it is called', () => {
    const { messageBus } = onMessageBus(true);
    for (const type of [
      'OrderPlaced',
      'StockReserved',
      'StockUnavailable',
      'PaymentCharged',
      'PaymentDeclined',
    ]) {
      expect(messageBus.handlersOf(type)).toEqual([`SagaManager(${type})`]);
    }
  });

  it.each([true, false])(
    'runs the saga to completion from a published event (feedBackEvents %s), each command once',
    async (feedBack) => {
      const { h, messageBus } = onMessageBus(feedBack);
      await messageBus.publish(orderPlaced());
      expect(h.sentTypes()).toEqual(['ReserveStock', 'ChargePayment', 'ShipOrder']);
      expect((await stateOf(h)).status).toBe(SagaStatus.COMPLETED);
    },
  );
});
