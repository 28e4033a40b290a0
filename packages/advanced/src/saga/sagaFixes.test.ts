// One test per weakness of the reference listed in the inventory §10.5 (items 24–35). Each would
// fail against pydomain's behaviour.

import {
  CommandTypeRegistry,
  InMemorySagaRepository,
  Saga,
  SagaConfigurationError,
  SagaManager,
  type SagaRepository,
  SagaState,
  SagaStatus,
} from '@pd/advanced/saga';
import { Command, CommandExecutionError } from '@pd/cqrs';
import { ConcurrencyError, FixedClock, isPdError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ALL_COMMANDS,
  ChargePayment,
  harness,
  NotifyCustomer,
  OrderFulfilment,
  OrderPlaced,
  orderPlaced,
  PaymentDeclined,
  RefundPayment,
  ReserveStock,
  StockReserved,
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

/** Makes `ReserveStock` fail while `failing(orderId)` is true; otherwise it commits nothing. */
function flakyStock(failing: (orderId: string) => boolean) {
  return {
    ReserveStock: (c: unknown) =>
      failing((c as ReserveStock).orderId) ? new Error('warehouse offline') : [],
  };
}

describe('#24 the saga loop closes on a bare CommandBus', () => {
  it('advances through every step with no MessageBus involved', async () => {
    const h = harness();
    await h.manager.handle(orderPlaced());
    expect(h.sentTypes()).toEqual(['ReserveStock', 'ChargePayment', 'ShipOrder']);
    expect((await stateOf(h)).status).toBe(SagaStatus.COMPLETED);
  });
});

describe('#25 a saga suspended by a failed dispatch returns to its previous status after recovery', () => {
  class Guarded extends Saga {
    static override readonly sagaType = 'Guarded';
    static override readonly listensTo = [OrderPlaced, StockReserved];
    protected override configure(): void {
      this.on(OrderPlaced, {
        step: 'reserving',
        send: (e) => new ReserveStock({ orderId: e.orderId }),
      });
      this.on(StockReserved, {
        resumesFrom: 'waiting-for-human',
        send: (e) => new ChargePayment({ orderId: e.orderId, amount: 1 }),
        complete: true,
      });
    }
  }

  it('suspends with previousStatus, recovers to RUNNING and then advances normally', async () => {
    let down = true;
    const h = harness({ sagas: [Guarded], reactions: flakyStock(() => down) });
    await h.manager.handle(orderPlaced());
    let state = await stateOf(h, 'order-1', 'Guarded');
    expect(state.status).toBe(SagaStatus.SUSPENDED);
    expect(state.previousStatus).toBe(SagaStatus.RUNNING);
    expect(state.suspensionReason).toBe('Dispatch failed: warehouse offline');
    expect(state.retryCount).toBe(1);

    down = false;
    await h.manager.recoverPendingSagas();
    state = await stateOf(h, 'order-1', 'Guarded');
    expect(state.status).toBe(SagaStatus.RUNNING);
    expect(state.previousStatus).toBeNull();
    expect(state.retryCount).toBe(0);
    expect(state.error).toBeNull();

    await h.manager.handle(new StockReserved({ orderId: 'order-1' }, { correlationId: 'order-1' }));
    expect((await stateOf(h, 'order-1', 'Guarded')).status).toBe(SagaStatus.COMPLETED);
  });
});

describe('#26 recovery counts one retry per attempt and isolates failures', () => {
  it('increments retryCount by exactly one and still recovers the other sagas of the batch', async () => {
    let failing = (_orderId: string) => true;
    const h = harness({ reactions: flakyStock((id) => failing(id)) });
    await h.manager.handle(orderPlaced('order-1'));
    await h.manager.handle(orderPlaced('order-2'));
    expect((await stateOf(h, 'order-1')).retryCount).toBe(1);

    failing = (id) => id === 'order-1';
    const result = await h.manager.recoverPendingSagas();
    const first = await stateOf(h, 'order-1');
    const second = await stateOf(h, 'order-2');
    expect(first.retryCount).toBe(2);
    expect(first.status).toBe(SagaStatus.SUSPENDED);
    expect(result.failed.map((f) => f.sagaId)).toEqual([first.id]);
    expect(result.processed).toEqual([second.id]);
    expect(second.status).toBe(SagaStatus.RUNNING);
    expect(second.pendingCommands).toEqual([]);
  });
});

describe('#27 both retry-exhaustion paths give up the same way', () => {
  const strict = (maxRetries: number) =>
    class extends OrderFulfilment {
      static override readonly sagaType = `Strict${maxRetries}`;
      static override readonly maxRetries = maxRetries;
    };

  it('fails with compensation whether the limit is hit on handle or in recovery', async () => {
    const onHandle = harness({ sagas: [strict(0)], reactions: flakyStock(() => true) });
    await onHandle.manager.handle(orderPlaced());
    const a = await stateOf(onHandle, 'order-1', 'Strict0');

    const inRecovery = harness({ sagas: [strict(1)], reactions: flakyStock(() => true) });
    await inRecovery.manager.handle(orderPlaced());
    expect((await stateOf(inRecovery, 'order-1', 'Strict1')).status).toBe(SagaStatus.SUSPENDED);
    await inRecovery.manager.recoverPendingSagas();
    const b = await stateOf(inRecovery, 'order-1', 'Strict1');

    for (const [state, h] of [
      [a, onHandle],
      [b, inRecovery],
    ] as const) {
      expect(state.status).toBe(SagaStatus.COMPENSATED);
      expect(state.error).toBe('Retry limit exceeded: Dispatch failed: warehouse offline');
      expect(state.pendingCommands).toEqual([]);
      expect(h.sentTypes().at(-1)).toBe('ReleaseStock');
    }
  });
});

describe('#28 fail=true always sends its command; a throwing handler sends nothing', () => {
  it('sends the declarative-fail command even when compensation starts', async () => {
    const h = harness({
      reactions: {
        ChargePayment: (c) => [
          new PaymentDeclined({ orderId: (c as ChargePayment).orderId, reason: 'r' }),
        ],
      },
    });
    await h.manager.handle(orderPlaced());
    expect(h.sentTypes()).toContain('NotifyCustomer');
    expect((await stateOf(h)).status).toBe(SagaStatus.COMPENSATED);
  });

  it('discards the commands a handler queued before throwing, even with an empty stack', async () => {
    class Careless extends Saga {
      static override readonly sagaType = 'Careless';
      static override readonly listensTo = [OrderPlaced];
      protected override configure(): void {
        this.on(OrderPlaced, (e) => {
          this.dispatch(new ReserveStock({ orderId: e.orderId }));
          throw new Error('oops');
        });
      }
    }
    const h = harness({ sagas: [Careless] });
    await h.manager.handle(orderPlaced());
    const state = await stateOf(h, 'order-1', 'Careless');
    expect(state.status).toBe(SagaStatus.FAILED);
    expect(state.error).toBe('oops');
    expect(h.sent).toEqual([]);
  });
});

describe('#29 capped processed-event ids evict the oldest first', () => {
  it('always remembers the most recent events', async () => {
    class Forgetful extends Saga {
      static override readonly sagaType = 'Forgetful';
      static override readonly listensTo = [Unrelated];
      static override readonly maxProcessedEvents = 2;
      protected override configure(): void {
        this.on(Unrelated, (e) =>
          this.dispatch(new NotifyCustomer({ orderId: e.orderId, message: 'm' })),
        );
      }
    }
    const h = harness({ sagas: [Forgetful] });
    const events = [1, 2, 3].map(() => new Unrelated({ orderId: 'o' }, { correlationId: 'c' }));
    for (const event of events) await h.manager.handle(event);
    const state = await stateOf(h, 'c', 'Forgetful');
    expect(state.processedEventIds).toEqual([events[1]?.eventId, events[2]?.eventId]);

    await h.manager.handle(events[2] as Unrelated);
    await h.manager.handle(events[1] as Unrelated);
    expect(h.sent).toHaveLength(3);
  });
});

describe('#30 saga concurrency control', () => {
  it('the in-memory repository rejects a stale copy and stores deep copies', async () => {
    const repository = new InMemorySagaRepository();
    const state = SagaState.create({ sagaType: 'T', correlationId: 'c' });
    await repository.save(state);
    const a = await repository.getById(state.id);
    const b = await repository.getById(state.id);
    if (!a || !b) throw new Error('missing');
    a.markRunning();
    a.recordStep('one', 'E');
    a.markEventProcessed('e-1');
    expect(a.version).toBe(1); // state changes never bump the version: the loaded version is the expected one
    await repository.save(a);
    b.markRunning();
    await expect(repository.save(b)).rejects.toSatisfy((e) => isPdError(e, 'CONCURRENCY'));

    const reread = await repository.getById(state.id);
    a.recordStep('two', 'E');
    expect(reread?.stepHistory.map((s) => s.stepName)).toEqual(['one']);
    expect((await repository.getById(state.id))?.stepHistory).toHaveLength(1);
    expect(reread?.version).toBe(2);
  });

  it('refuses a second saga for the same type and correlation', async () => {
    const repository = new InMemorySagaRepository();
    await repository.save(SagaState.create({ sagaType: 'T', correlationId: 'c' }));
    await expect(
      repository.save(SagaState.create({ sagaType: 'T', correlationId: 'c' })),
    ).rejects.toBeInstanceOf(ConcurrencyError);
  });
});

describe('#31 the state machine guards its transitions', () => {
  it.each([
    ['complete a FAILED saga', (s: SagaState) => s.fail('x'), (s: SagaState) => s.complete()],
    [
      'suspend a COMPLETED saga',
      (s: SagaState) => s.complete(),
      (s: SagaState) => s.suspend('r', null),
    ],
    [
      'fail a COMPENSATED saga',
      (s: SagaState) => {
        s.pushCompensation({ commandType: 'C', data: {}, description: '' });
        s.startCompensation('x');
        s.finishCompensation();
      },
      (s: SagaState) => s.fail('again'),
    ],
    ['resume a RUNNING saga', (s: SagaState) => s.markRunning(), (s: SagaState) => s.resume()],
  ])('refuses to %s with SagaStateError', (_name, setup, act) => {
    const state = SagaState.create({ sagaType: 'T', correlationId: 'c' });
    setup(state);
    const before = state.toJSON();
    expect(() => act(state)).toThrowError(expect.objectContaining({ code: 'SAGA_STATE' }));
    expect(state.toJSON()).toEqual(before);
  });
});

describe('#32 on() rejects silent misconfiguration', () => {
  it('refuses step/compensate/complete/suspend/fail combined with a handler', () => {
    class Confused extends Saga {
      static override readonly sagaType = 'Confused';
      static override readonly listensTo = [OrderPlaced];
      protected override configure(): void {
        this.on(OrderPlaced, { handler: () => undefined, step: 'x' });
      }
    }
    expect(() => harness({ sagas: [Confused] })).toThrowError(SagaConfigurationError);
    expect(() => harness({ sagas: [Confused] })).toThrowError(/'step' only works with 'send'/);
  });
});

describe('#33 stored commands are rebuilt by stable type name, never by module path', () => {
  it('stores type name, JSON and description only; an unknown type after a restart is a recorded failure', async () => {
    const h = harness({
      reactions: { ChargePayment: () => [] },
    });
    await h.manager.handle(orderPlaced());
    const stored = (await stateOf(h)).compensationStack;
    expect(stored.map((r) => Object.keys(r).sort())).toEqual([
      ['commandType', 'data', 'description'],
      ['commandType', 'data', 'description'],
    ]);
    expect(stored[1]).toMatchObject({
      commandType: 'RefundPayment',
      data: { type: 'RefundPayment', payload: { orderId: 'order-1' } },
    });

    // "Restart" with a registry that no longer knows RefundPayment, and fail the saga.
    const commandTypes = new CommandTypeRegistry().register(
      ...ALL_COMMANDS.filter((c) => c !== RefundPayment),
    );
    const restarted = new SagaManager(h.repository, h.registry, h.bus, {
      commandTypes,
      clock: h.clock,
      logger: h.logger,
    });
    await restarted.handle(
      new PaymentDeclined({ orderId: 'order-1', reason: 'r' }, { correlationId: 'order-1' }),
    );
    const state = await stateOf(h);
    expect(state.status).toBe(SagaStatus.FAILED);
    expect(state.failedCompensations.map((f) => [f.commandType, f.error])).toEqual([
      [
        'RefundPayment',
        'Unknown command type RefundPayment: register it in the CommandTypeRegistry',
      ],
    ]);
    expect(h.sentTypes().slice(-2)).toEqual(['NotifyCustomer', 'ReleaseStock']);
  });

  it('fails the saga at once when it queues a command type the registry does not know', async () => {
    class Rogue extends Command()('Rogue', { n: z.number() }) {}
    class Sloppy extends Saga {
      static override readonly sagaType = 'Sloppy';
      static override readonly listensTo = [OrderPlaced];
      protected override configure(): void {
        this.on(OrderPlaced, { send: () => new Rogue({ n: 1 }) });
      }
    }
    const h = harness({ sagas: [Sloppy] });
    await h.manager.handle(orderPlaced());
    const state = await stateOf(h, 'order-1', 'Sloppy');
    expect(state.status).toBe(SagaStatus.FAILED);
    expect(state.error).toMatch(/Rogue is not registered/);
    expect(h.sent).toEqual([]);
  });
});

describe('#34 fewer saves per event', () => {
  function counting(): { repository: SagaRepository; saves: () => number } {
    const inner = new InMemorySagaRepository();
    let saves = 0;
    const repository: SagaRepository = {
      save: (state, options) => {
        saves++;
        return inner.save(state, options);
      },
      getById: (id) => inner.getById(id),
      findByCorrelationId: (cid, type) => inner.findByCorrelationId(cid, type),
      findStalled: (limit) => inner.findStalled(limit),
      findSuspended: (limit) => inner.findSuspended(limit),
      findExpiredSuspended: (now, limit) => inner.findExpiredSuspended(now, limit),
    };
    return { repository, saves: () => saves };
  }

  it('saves twice for an event that sends a command (reference: 4) and once for one that sends none', async () => {
    class Quiet extends Saga {
      static override readonly sagaType = 'Quiet';
      static override readonly listensTo = [OrderPlaced, Unrelated];
      protected override configure(): void {
        this.on(OrderPlaced, { send: (e) => new ReserveStock({ orderId: e.orderId }) });
        this.on(Unrelated, (e) => this.updateData({ seen: e.orderId }));
      }
    }
    const h = harness({ sagas: [Quiet], reactions: { ReserveStock: () => [] } });
    const { repository, saves } = counting();
    const manager = new SagaManager(repository, h.registry, h.bus, {
      commandTypes: h.commandTypes,
      clock: new FixedClock(),
    });
    await manager.handle(orderPlaced());
    expect(saves()).toBe(2);
    await manager.handle(new Unrelated({ orderId: 'order-1' }, { correlationId: 'order-1' }));
    expect(saves()).toBe(3);
  });
});

describe('#35 error behaviour of handle and start is explicit and configurable', () => {
  const down = flakyStock(() => true);

  it("handle logs by default; 'throw' raises SagaProcessingError after every saga ran", async () => {
    const logged = harness({ reactions: down });
    await expect(logged.manager.handle(orderPlaced())).resolves.toBeUndefined();
    expect(
      logged.logger.lines.some(
        (l) => l.level === 'error' && l.message === 'Saga processing failed',
      ),
    ).toBe(true);

    const throwing = harness({ reactions: down, manager: { errorPolicy: 'throw' } });
    const error = await throwing.manager.handle(orderPlaced()).catch((e: unknown) => e);
    expect(isPdError(error, 'SAGA_PROCESSING')).toBe(true);
    expect((error as { failures: { error: unknown }[] }).failures[0]?.error).toBeInstanceOf(
      CommandExecutionError,
    );
  });

  it('start throws the dispatch error of its own event, whatever the policy', async () => {
    const h = harness({ reactions: down });
    await expect(h.manager.start(OrderFulfilment, orderPlaced())).rejects.toBeInstanceOf(
      CommandExecutionError,
    );
    expect((await stateOf(h)).status).toBe(SagaStatus.SUSPENDED);
  });
});
