import {
  type AnySaga,
  CommandTypeRegistry,
  type SagaClass,
  SagaManager,
  SagaRegistry,
  type SagaState,
  type SagaStatus,
  type StoredCommandClass,
} from '@pd/advanced/saga';
import type { AnyCommand, CommandDispatcher, DispatchOutcome, ResultOf } from '@pd/cqrs';
import { type AnyDomainEvent, FixedClock } from '@pd/ddd';
import { assertEvents, type ExpectedEvent } from '../assert/expectEvents.js';
import { describeError, fail } from '../assert/failure.js';
import { FakeSagaRepository } from '../fakes/fakeSagaRepository.js';
import { assertState, type StateExpectation } from './aggregateSpec.js';

/** Options of {@link sagaSpec}. */
export interface SagaSpecOptions {
  /** Every command class the saga sends or compensates with (the manager rebuilds them by type). */
  readonly commandTypes: readonly StoredCommandClass[];
  /** Correlation id stamped on events that carry none (default `"saga-spec"`). */
  readonly correlationId?: string;
  /** Start of the saga's clock (default 2026-01-01T00:00:00Z). */
  readonly now?: Date | string;
  /**
   * What a sent command does: return the events it "committed" (the manager feeds them back to
   * the saga), or throw to make the dispatch fail. Default: no events.
   */
  readonly onCommand?: (
    command: AnyCommand,
  ) => readonly AnyDomainEvent[] | undefined | Promise<readonly AnyDomainEvent[] | undefined>;
}

/** An expected command: an instance, or its type name and payload (ids and tracing are ignored). */
export type ExpectedCommand =
  | AnyCommand
  | { readonly type: string; readonly payload?: Readonly<Record<string, unknown>> };

/** What the `when` step of a {@link sagaSpec} produced. */
export interface SagaOutcome {
  /** The saga's stored state after `when`. */
  readonly state: SagaState;
  /** Commands sent during `when`, in order (forward commands and compensations). */
  readonly commands: readonly AnyCommand[];
  /** The compensation commands among them (their ids were on the compensation stack). */
  readonly compensations: readonly AnyCommand[];
}

/** The "given" step of a {@link sagaSpec}. */
export interface SagaGiven {
  /** Past events, handled in order by a real `SagaManager` (commands they send are not asserted). */
  given(events: readonly AnyDomainEvent[]): SagaGiven;
  /** The event under test. */
  when(event: AnyDomainEvent): SagaWhen;
  /**
   * Lets the saga's suspension expire: the clock moves `ms` forward (default: to the saga's
   * `timeoutAt`) and the manager processes timeouts.
   */
  whenTimeout(ms?: number): SagaWhen;
}

/** The "then" step of a {@link sagaSpec}. */
export interface SagaWhen {
  /** Asserts every command sent during `when`, in order, by type and payload. */
  thenCommands(expected: readonly ExpectedCommand[]): Promise<SagaOutcome>;
  /** Asserts the compensation commands sent during `when` (newest step first). */
  thenCompensations(expected: readonly ExpectedCommand[]): Promise<SagaOutcome>;
  /** Asserts the saga's status after `when`. */
  thenStatus(expected: SagaStatus): Promise<SagaOutcome>;
  /** Asserts fields of the saga state (`currentStep`, `data`, `error`, …) or a predicate. */
  thenState(expected: StateExpectation<SagaState>): Promise<SagaOutcome>;
}

/**
 * A given/when/then specification of a saga, run by a real `SagaManager` over a
 * {@link FakeSagaRepository}, a fixed clock and a recording dispatcher: feed past events, then
 * one event (or a timeout), and assert the commands sent, the compensations, the status and the
 * state. Events without a correlation id get the spec's.
 *
 * @example
 * await sagaSpec(OrderFulfilment, { commandTypes: [ChargePayment, RefundPayment, ShipOrder] })
 *   .given([new OrderPlaced({ orderId: 'o-1', total: 5 })])
 *   .when(new PaymentDeclined({ orderId: 'o-1' }))
 *   .thenCompensations([new RefundPayment({ orderId: 'o-1' })]);
 */
export function sagaSpec<TSaga extends AnySaga>(
  sagaClass: SagaClass<TSaga>,
  options: SagaSpecOptions,
): SagaGiven {
  return givenStep(sagaClass as unknown as SagaClass, options, []);
}

type Trigger =
  | { readonly kind: 'event'; readonly event: AnyDomainEvent }
  | { readonly kind: 'timeout'; readonly ms: number | undefined };

function givenStep(
  sagaClass: SagaClass,
  options: SagaSpecOptions,
  history: readonly AnyDomainEvent[],
): SagaGiven {
  return {
    given: (events) => givenStep(sagaClass, options, [...history, ...events]),
    when: (event) => whenStep(sagaClass, options, history, { kind: 'event', event }),
    whenTimeout: (ms) => whenStep(sagaClass, options, history, { kind: 'timeout', ms }),
  };
}

class RecordingDispatcher implements CommandDispatcher {
  readonly sent: AnyCommand[] = [];
  constructor(readonly onCommand: SagaSpecOptions['onCommand']) {}
  async dispatch<TCommand extends AnyCommand>(
    command: TCommand,
  ): Promise<DispatchOutcome<ResultOf<TCommand>>> {
    this.sent.push(command);
    const events = (await this.onCommand?.(command)) ?? [];
    // Stamped like a unit of work stamps committed events, so the manager can route them back.
    const stamped = events.map((event) =>
      event.stamp({
        correlationId: event.correlationId ?? command.correlationId ?? command.commandId,
        causationId: event.causationId ?? command.commandId,
      }),
    );
    return { result: undefined as ResultOf<TCommand>, events: stamped };
  }
}

const silent = { info() {}, warn() {}, error() {} };

function whenStep(
  sagaClass: SagaClass,
  options: SagaSpecOptions,
  history: readonly AnyDomainEvent[],
  trigger: Trigger,
): SagaWhen {
  const label = `sagaSpec(${sagaClass.sagaType})`;
  const correlationId = options.correlationId ?? 'saga-spec';
  let pending: Promise<SagaOutcome> | undefined;
  const run = () => {
    pending ??= (async () => {
      const clock = new FixedClock(options.now ?? '2026-01-01T00:00:00.000Z');
      const repository = new FakeSagaRepository();
      const dispatcher = new RecordingDispatcher(options.onCommand);
      const manager = new SagaManager(
        repository,
        new SagaRegistry().registerSaga(sagaClass),
        dispatcher,
        {
          commandTypes: new CommandTypeRegistry().register(...options.commandTypes),
          clock,
          logger: silent,
        },
      );
      const correlated = (event: AnyDomainEvent) =>
        event.correlationId === null
          ? event.stamp({ correlationId, causationId: event.causationId })
          : event;
      const load = () => repository.findByCorrelationId(correlationId, sagaClass.sagaType);
      for (const event of history) {
        try {
          await manager.handle(correlated(event));
        } catch (error) {
          fail(`${label}.given: handling ${event.eventType} failed: ${describeError(error)}`);
        }
      }
      const before = await load();
      const stackIds = new Set(
        (before?.compensationStack ?? []).map((c) => String(c.data.commandId)),
      );
      const sentBefore = dispatcher.sent.length;
      try {
        if (trigger.kind === 'event') {
          await manager.handle(correlated(trigger.event));
        } else {
          const timeoutAt = before?.timeoutAt;
          if (trigger.ms !== undefined) clock.advance(trigger.ms);
          else if (timeoutAt) clock.set(timeoutAt);
          else
            fail(
              `${label}.whenTimeout: the saga is not suspended with a timeout (give the ms to wait)`,
            );
          await manager.processTimeouts();
        }
      } catch (error) {
        if ((error as { name?: unknown }).name === 'AssertionError') throw error;
        fail(`${label}.when: the manager failed: ${describeError(error)}`);
      }
      const state = await load();
      if (state === undefined)
        fail(`${label}: no ${sagaClass.sagaType} saga exists for correlation ${correlationId}`);
      const commands = dispatcher.sent.slice(sentBefore);
      const compensations = commands.filter((c) => stackIds.has(c.commandId));
      return { state, commands, compensations };
    })();
    return pending;
  };
  return {
    async thenCommands(expected) {
      const outcome = await run();
      assertEvents(`${label}.thenCommands`, outcome.commands, expected as readonly ExpectedEvent[]);
      return outcome;
    },
    async thenCompensations(expected) {
      const outcome = await run();
      assertEvents(
        `${label}.thenCompensations`,
        outcome.compensations,
        expected as readonly ExpectedEvent[],
      );
      return outcome;
    },
    async thenStatus(expected) {
      const outcome = await run();
      if (outcome.state.status !== expected) {
        fail(
          `${label}.thenStatus: the saga is ${outcome.state.status}, expected ${expected}${outcome.state.error ? ` (error: ${outcome.state.error})` : ''}`,
          { actual: outcome.state.status, expected },
        );
      }
      return outcome;
    },
    async thenState(expected) {
      const outcome = await run();
      assertState(`${label}.thenState`, outcome.state, expected);
      return outcome;
    },
  };
}
