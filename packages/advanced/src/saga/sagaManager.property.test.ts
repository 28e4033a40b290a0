// Property test: random event sequences (with duplicates, dispatch outages, timeouts and recovery)
// driven through one saga must keep the state machine's invariants.

import { isTerminalStatus, Saga, type SagaStatus } from '@pd/advanced/saga';
import type { AnyCommand } from '@pd/cqrs';
import { DomainEvent } from '@pd/ddd';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ChargePayment,
  harness,
  NotifyCustomer,
  RefundPayment,
  ReleaseStock,
  RequestApproval,
  ReserveStock,
  ShipOrder,
} from './testSupport/orderFulfilment.js';

const shape = { n: z.number() };
class E1 extends DomainEvent('E1', shape) {}
class E2 extends DomainEvent('E2', shape) {}
class E3 extends DomainEvent('E3', shape) {}
class E4 extends DomainEvent('E4', shape) {}
class E5 extends DomainEvent('E5', shape) {}
class E6 extends DomainEvent('E6', shape) {}
class E7 extends DomainEvent('E7', shape) {}
const EVENTS = [E1, E2, E3, E4, E5, E6, E7] as const;
const COMPENSATIONS = new Set(['ReleaseStock', 'RefundPayment']);

/** Every compensation command the saga created, in creation order (reset per run). */
let pushed: string[] = [];
function compensation<T extends AnyCommand>(command: T): T {
  pushed.push(command.commandId);
  return command;
}

class Random extends Saga {
  static override readonly sagaType = 'Random';
  static override readonly listensTo = [...EVENTS];
  static override readonly maxRetries = 2;
  protected override configure(): void {
    const id = (e: { n: number }) => `o-${e.n}`;
    this.on(E1, {
      step: 's1',
      send: (e) => new ReserveStock({ orderId: id(e) }),
      compensate: (e) => compensation(new ReleaseStock({ orderId: id(e) })),
    });
    this.on(E2, {
      step: 's2',
      send: (e) => new ChargePayment({ orderId: id(e), amount: 1 }),
      compensate: (e) => compensation(new RefundPayment({ orderId: id(e) })),
    });
    this.on(E3, {
      step: 's3',
      send: (e) => new RequestApproval({ orderId: id(e) }),
      suspend: true,
      suspendTimeout: 1_000,
    });
    this.on(E4, { step: 's4', send: (e) => new ShipOrder({ orderId: id(e) }), complete: true });
    this.on(E5, {
      step: 's5',
      send: (e) => new NotifyCustomer({ orderId: id(e), message: 'no' }),
      fail: true,
    });
    this.on(E6, (e) => {
      this.dispatch(new ShipOrder({ orderId: id(e) }));
      throw new Error('handler bug');
    });
    this.on(E7, (e) => {
      this.dispatch(new ReserveStock({ orderId: id(e) }));
      this.addCompensation(compensation(new ReleaseStock({ orderId: id(e) })), 'imperative');
    });
  }
}

type Action =
  | { kind: 'event'; type: number; down: boolean }
  | { kind: 'redeliver'; pick: number; down: boolean }
  | { kind: 'timeout'; down: boolean }
  | { kind: 'recover'; down: boolean };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      type: fc.nat(6),
      down: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('redeliver' as const),
      pick: fc.nat(),
      down: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('timeout' as const), down: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('recover' as const), down: fc.boolean() }),
  },
);

describe('SagaManager (property)', () => {
  it('never leaves a terminal state, unwinds compensations fully in reverse, never sends a command twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 14 }), async (actions) => {
        let down = false;
        pushed = [];
        const succeeded: AnyCommand[] = [];
        const attempted: AnyCommand[] = [];
        const reaction = (command: AnyCommand) => {
          attempted.push(command);
          if (down) return new Error('network down');
          succeeded.push(command);
          return [];
        };
        const h = harness({
          sagas: [Random],
          reactions: Object.fromEntries(
            [
              'ReserveStock',
              'ChargePayment',
              'RequestApproval',
              'ShipOrder',
              'NotifyCustomer',
              'ReleaseStock',
              'RefundPayment',
            ].map((t) => [t, reaction]),
          ),
        });
        const delivered: InstanceType<(typeof EVENTS)[number]>[] = [];
        let seenTerminal: SagaStatus | undefined;
        let stackBefore: string[] = [];

        for (const [index, step] of actions.entries()) {
          down = step.down;
          const attemptsBefore = attempted.length;
          const pushesBefore = pushed.length;
          if (step.kind === 'event') {
            const Event = EVENTS[step.type] as (typeof EVENTS)[number];
            const event = new Event({ n: index }, { correlationId: 'saga-1' });
            delivered.push(event);
            await h.manager.handle(event);
          } else if (step.kind === 'redeliver' && delivered.length > 0) {
            await h.manager.handle(
              delivered[step.pick % delivered.length] as (typeof delivered)[number],
            );
          } else if (step.kind === 'timeout') {
            h.clock.advance(2_000);
            await h.manager.processTimeouts();
          } else if (step.kind === 'recover') {
            await h.manager.recoverPendingSagas();
          }

          const state = await h.repository.findByCorrelationId('saga-1', 'Random');
          if (state === undefined) continue;
          // 1. no transition out of a terminal state
          if (seenTerminal !== undefined) expect(state.status).toBe(seenTerminal);
          else if (isTerminalStatus(state.status)) seenTerminal = state.status;
          // 2. a compensation that ran in this action unwound exactly the stack — what was on it before
          //    plus what this action pushed — newest first
          const compensationsNow = attempted
            .slice(attemptsBefore)
            .filter((c) => COMPENSATIONS.has(c.commandType))
            .map((c) => c.commandId);
          if (compensationsNow.length > 0) {
            expect(compensationsNow).toEqual(
              [...stackBefore, ...pushed.slice(pushesBefore)].reverse(),
            );
            expect(state.compensationStack).toEqual([]);
            expect(['COMPENSATED', 'FAILED']).toContain(state.status);
          }
          expect(state.status).not.toBe('COMPENSATING');
          // 3. a saga that completed or was compensated has nothing left to undo (a FAILED saga
          //    failed without compensating and keeps its stack for an operator)
          if (state.status === 'COMPLETED' || state.status === 'COMPENSATED') {
            expect(state.compensationStack).toEqual([]);
          }
          stackBefore = state.compensationStack.map((r) => String(r.data.commandId));
        }

        // 4. no command went through twice, and no event caused more than its one command
        const ids = succeeded.map((c) => c.commandId);
        expect(new Set(ids).size).toBe(ids.length);
        const state = await h.repository.findByCorrelationId('saga-1', 'Random');
        const perEvent = new Map<string, number>();
        for (const c of succeeded) {
          // Recovery and timeout commands name the saga itself as their cause.
          if (
            COMPENSATIONS.has(c.commandType) ||
            c.causationId === null ||
            c.causationId === state?.id
          )
            continue;
          perEvent.set(c.causationId, (perEvent.get(c.causationId) ?? 0) + 1);
        }
        for (const count of perEvent.values()) expect(count).toBeLessThanOrEqual(1);
        // and a failing handler (E6) never got its command out
        const e6 = delivered.filter((e) => e instanceof E6).map((e) => e.eventId);
        expect(
          succeeded.filter((c) => c.causationId !== null && e6.includes(c.causationId)),
        ).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
