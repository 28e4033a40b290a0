import {
  type AnySaga,
  Saga,
  SagaConfigurationError,
  SagaHandlerNotFoundError,
  SagaState,
  SagaStatus,
  type SagaStepOptions,
  USE_DEFAULT_TIMEOUT,
} from '@pd/advanced/saga';
import { FixedClock, isPdError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ApprovalGranted,
  NotifyCustomer,
  OrderPlaced,
  orderPlaced,
  RefundPayment,
  ReserveStock,
  StockReserved,
  Unrelated,
} from './testSupport/orderFulfilment.js';

/** A saga whose handlers are declared by the test. */
class Probe extends Saga<{ note?: string }> {
  static override readonly sagaType = 'Probe';
  static override readonly defaultTimeout = 1_000;
  static override readonly dataSchema = z.object({ note: z.string().max(5).optional() });
}

function probe(clock = new FixedClock('2026-01-01T00:00:00Z')): Probe {
  return new Probe(
    SagaState.create<{ note?: string }>({ sagaType: 'Probe', correlationId: 'c' }, { clock }),
  );
}

const placed = orderPlaced();
const send = () => new ReserveStock({ orderId: 'o' });

describe('Saga.on validation', () => {
  const invalid: [string, SagaStepOptions<OrderPlaced>, RegExp][] = [
    [
      'handler and send',
      { handler: () => undefined, send },
      /Cannot set both 'handler' and 'send'/,
    ],
    ['neither', { step: 'x' }, /Set either 'handler' or 'send'/],
    [
      'complete and suspend',
      { send, complete: true, suspend: true },
      /Cannot set both 'complete' and 'suspend'/,
    ],
    [
      'fail and complete',
      { send, fail: true, complete: true },
      /Cannot set both 'fail' and 'complete'/,
    ],
    [
      'fail and suspend',
      { send, fail: true, suspend: true },
      /Cannot set both 'fail' and 'suspend'/,
    ],
    [
      'handler and compensate',
      { handler: () => undefined, compensate: send },
      /'compensate' only works with 'send'/,
    ],
    [
      'handler and complete',
      { handler: () => undefined, complete: true },
      /'complete' only works with 'send'/,
    ],
    [
      'handler and suspend',
      { handler: () => undefined, suspend: true },
      /'suspend' only works with 'send'/,
    ],
    ['handler and fail', { handler: () => undefined, fail: true }, /'fail' only works with 'send'/],
    ['description without compensate', { send, compensateDescription: 'x' }, /needs 'compensate'/],
    ['reason without fail', { send, failReason: 'x' }, /needs 'fail'/],
    ['timeout without suspend', { send, suspendTimeout: null }, /need 'suspend'/],
    ['negative timeout', { send, suspend: true, suspendTimeout: -1 }, /non-negative/],
  ];

  it.each(invalid)('rejects %s at definition time', (_name, options, message) => {
    const error = (() => {
      try {
        probe().on(OrderPlaced, options);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SagaConfigurationError);
    expect(isPdError(error, 'SAGA_CONFIGURATION')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('accepts a handler with resume options, and false flags with a handler', () => {
    expect(() =>
      probe().on(OrderPlaced, {
        handler: () => undefined,
        resumesFrom: 'x',
        shouldResume: () => true,
        complete: false,
      }),
    ).not.toThrow();
  });

  it('rejects a class without typeName', () => {
    expect(() => probe().on({} as typeof OrderPlaced, { send })).toThrowError(
      SagaConfigurationError,
    );
  });
});

describe('Saga declarative handlers', () => {
  it('sets the step, queues the command, pushes the compensation with its description', async () => {
    const saga = probe();
    saga.on(OrderPlaced, {
      step: 'reserving',
      send: (e) => new ReserveStock({ orderId: e.orderId }),
      compensate: (e) => new RefundPayment({ orderId: e.orderId }),
      compensateDescription: (e) => `refund ${e.orderId}`,
    });
    await saga.handle(placed);
    expect(saga.state.status).toBe(SagaStatus.RUNNING);
    expect(saga.state.currentStep).toBe('reserving');
    expect(saga.collectCommands().map((c) => c.commandType)).toEqual(['ReserveStock']);
    expect(saga.collectCommands()).toEqual([]);
    expect(saga.state.compensationStack).toEqual([
      expect.objectContaining({ commandType: 'RefundPayment', description: 'refund order-1' }),
    ]);
    expect(saga.state.stepHistory.map((s) => [s.stepName, s.eventType, s.causationId])).toEqual([
      ['reserving', 'OrderPlaced', placed.eventId],
    ]);
  });

  it('fail uses the reason as given (even ""), defaults to "Saga failed", and still queues the send', async () => {
    const a = probe().on(OrderPlaced, { send, fail: true, failReason: () => '' });
    await a.handle(placed);
    expect(a.state.status).toBe(SagaStatus.FAILED);
    expect(a.state.error).toBe('');
    expect(a.collectCommands()).toHaveLength(1);
    const b = probe().on(OrderPlaced, { send, fail: true });
    await b.handle(placed);
    expect(b.state.error).toBe('Saga failed');
  });

  it('fail with a non-empty stack starts compensating', async () => {
    const saga = probe().on(OrderPlaced, {
      send,
      compensate: () => new RefundPayment({ orderId: 'o' }),
      fail: true,
    });
    await saga.handle(placed);
    expect(saga.state.status).toBe(SagaStatus.COMPENSATING);
  });

  it('suspend: default reason names the step; timeout default / explicit / null', async () => {
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    const byDefault = probe(clock).on(OrderPlaced, { step: 'wait', send, suspend: true });
    await byDefault.handle(placed);
    expect(byDefault.state.suspensionReason).toBe('Suspended at step wait');
    expect(byDefault.state.timeoutAt).toEqual(new Date('2026-01-01T00:00:01Z'));
    const explicit = probe(clock).on(OrderPlaced, {
      send,
      suspend: true,
      suspendTimeout: 5,
      suspendReason: (e) => e.orderId,
    });
    await explicit.handle(placed);
    expect(explicit.state.suspensionReason).toBe('order-1');
    expect(explicit.state.timeoutAt).toEqual(new Date('2026-01-01T00:00:00.005Z'));
    const never = probe(clock).on(OrderPlaced, { send, suspend: true, suspendTimeout: null });
    await never.handle(placed);
    expect(never.state.timeoutAt).toBeNull();
    const sentinel = probe(clock).on(OrderPlaced, {
      send,
      suspend: true,
      suspendTimeout: USE_DEFAULT_TIMEOUT,
    });
    await sentinel.handle(placed);
    expect(sentinel.state.timeoutAt).toEqual(new Date('2026-01-01T00:00:01Z'));
  });

  it('complete clears the stack', async () => {
    const saga = probe().on(OrderPlaced, { send, compensate: send, complete: true });
    await saga.handle(placed);
    expect(saga.state.status).toBe(SagaStatus.COMPLETED);
    expect(saga.state.compensationStack).toEqual([]);
  });

  it('a later registration for the same type replaces the handler', async () => {
    const saga = probe()
      .on(OrderPlaced, { send })
      .on(OrderPlaced, { send: () => new NotifyCustomer({ orderId: 'o', message: 'm' }) });
    await saga.handle(placed);
    expect(saga.collectCommands().map((c) => c.commandType)).toEqual(['NotifyCustomer']);
  });
});

describe('Saga.handle', () => {
  it('ignores terminal sagas and processed events', async () => {
    let calls = 0;
    const saga = probe().on(OrderPlaced, () => void calls++);
    await saga.handle(placed);
    await saga.handle(placed);
    expect(calls).toBe(1);
    saga.complete();
    await saga.handle(orderPlaced());
    expect(calls).toBe(1);
  });

  it('throws SagaHandlerNotFoundError for a type without handler', async () => {
    const error = await probe()
      .handle(placed)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SagaHandlerNotFoundError);
    expect(error).toMatchObject({
      code: 'SAGA_HANDLER_NOT_FOUND',
      sagaType: 'Probe',
      eventType: 'OrderPlaced',
    });
  });

  it('undoes everything a throwing handler did', async () => {
    const saga = probe().on(OrderPlaced, (e) => {
      saga.state.setCurrentStep('half-way');
      saga.dispatch(new ReserveStock({ orderId: e.orderId }));
      saga.addCompensation(new RefundPayment({ orderId: e.orderId }), 'refund');
      saga.updateData({ note: 'hi' });
      throw new Error('boom');
    });
    await expect(saga.handle(placed)).rejects.toThrow('boom');
    expect(saga.collectCommands()).toEqual([]);
    expect(saga.state.compensationStack).toEqual([]);
    expect(saga.state.currentStep).toBe('init');
    expect(saga.data).toEqual({});
    expect(saga.state.isEventProcessed(placed.eventId)).toBe(false);
  });

  it('routes through an overridden handleEvent (pattern matching), which may ignore unknown events', async () => {
    class Matching extends Saga {
      static override readonly sagaType = 'Matching';
      seen: string[] = [];
      protected override async handleEvent(event: OrderPlaced | Unrelated): Promise<void> {
        if (event instanceof OrderPlaced) this.seen.push(event.orderId);
      }
    }
    const saga = new Matching(SagaState.create({ sagaType: 'Matching', correlationId: 'c' }));
    await saga.handle(placed);
    await saga.handle(new Unrelated({ orderId: 'x' }));
    expect(saga.seen).toEqual(['order-1']);
    expect(saga.state.processedEventIds).toHaveLength(2);
  });

  it('validates data updates with the dataSchema', () => {
    const saga = probe();
    saga.updateData({ note: 'ok' });
    expect(saga.data).toEqual({ note: 'ok' });
    expect(() => saga.updateData({ note: 'far too long' })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
  });
});

describe('Saga lifecycle', () => {
  it('fail without compensation ends FAILED even with a stack', () => {
    const saga = probe();
    saga.addCompensation(new RefundPayment({ orderId: 'o' }));
    saga.fail('stop', { compensate: false });
    expect(saga.state.status).toBe(SagaStatus.FAILED);
    expect(saga.state.compensationStack).toHaveLength(1);
  });

  it('resume only from SUSPENDED', () => {
    const saga = probe();
    expect(() => saga.resume()).toThrowError(expect.objectContaining({ code: 'SAGA_STATE' }));
    saga.suspend('wait', null);
    saga.resume();
    expect(saga.state.status).toBe(SagaStatus.RUNNING);
    expect(saga.state.suspensionReason).toBeNull();
  });

  it('onTimeout fails with the suspension reason, compensating', async () => {
    const saga = probe();
    saga.addCompensation(new RefundPayment({ orderId: 'o' }));
    saga.suspend('approval');
    await saga.onTimeout();
    expect(saga.state.status).toBe(SagaStatus.COMPENSATING);
    expect(saga.state.error).toBe('Saga timed out while suspended for: approval');
  });

  it('listenedEvents is empty for the base class and a copy otherwise', () => {
    class Listening extends Saga {
      static override readonly sagaType = 'Listening';
      static override readonly listensTo = [OrderPlaced];
    }
    expect(Saga.listenedEvents()).toEqual([]);
    const list = Listening.listenedEvents();
    list.push(StockReserved);
    expect(Listening.listensTo).toEqual([OrderPlaced]);
  });
});

describe('Saga.shouldResume', () => {
  const suspendedAt = (step: string, configure: (saga: AnySaga) => void) => {
    const saga = probe();
    configure(saga);
    saga.state.setCurrentStep(step);
    saga.suspend('wait', null);
    return saga;
  };
  const grant = (approver: string) => new ApprovalGranted({ orderId: 'o', approver });

  it('resumes on any event when nothing declares resumesFrom', () => {
    const saga = suspendedAt('x', (s) => s.on(ApprovalGranted, { send }));
    expect(saga.shouldResume(new Unrelated({ orderId: 'o' }))).toBe(true);
  });

  it('with resumesFrom, needs the event type listed for the current step; lists union', () => {
    const saga = suspendedAt('approval', (s) => {
      s.on(ApprovalGranted, { send, resumesFrom: 'review' });
      s.on(ApprovalGranted, { send, resumesFrom: ['approval'] });
    });
    expect(saga.shouldResume(grant('a'))).toBe(true);
    expect(saga.shouldResume(new Unrelated({ orderId: 'o' }))).toBe(false);
    saga.state.resume();
    saga.state.setCurrentStep('review');
    expect(saga.shouldResume(grant('a'))).toBe(true);
    saga.state.setCurrentStep('other');
    expect(saga.shouldResume(grant('a'))).toBe(false);
  });

  it('an empty resumesFrom blocks that event at every step', () => {
    const saga = suspendedAt('x', (s) => s.on(ApprovalGranted, { send, resumesFrom: [] }));
    expect(saga.shouldResume(grant('a'))).toBe(false);
  });

  it('the predicate decides last, and a later one replaces the earlier', () => {
    const saga = suspendedAt('x', (s) => {
      s.on(ApprovalGranted, { send, shouldResume: () => false });
      s.on(ApprovalGranted, { send, shouldResume: (e) => e.approver === 'boss' });
    });
    expect(saga.shouldResume(grant('boss'))).toBe(true);
    expect(saga.shouldResume(grant('intern'))).toBe(false);
  });
});
