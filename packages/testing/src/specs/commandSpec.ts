import type { AnyCommand, CommandDispatcher, DispatchOutcome, ResultOf } from '@pd/cqrs';
import type { AnyDomainEvent } from '@pd/ddd';
import type { EventStore } from '@pd/eventsourcing';
import { assertEvents, type ExpectedEvent, listEvents, shapeOf } from '../assert/expectEvents.js';
import {
  describeError,
  describeExpectation,
  type ErrorExpectation,
  errorMatches,
  fail,
  jsonOf,
  sameJson,
} from '../assert/failure.js';

type Arrangement = () => unknown;

type Outcome<TResult> =
  | { readonly ok: true; readonly outcome: DispatchOutcome<TResult> }
  | { readonly ok: false; readonly error: unknown };

/** The "given" step of a {@link commandSpec}. */
export interface CommandGiven {
  /** Any arrangement of the fakes (save an aggregate, seed a store…); may be async. Runs in order. */
  given(arrange: () => unknown): CommandGiven;
  /** Appends past events to a stream of `store` (expected version `'any'`), before `when`. */
  givenEvents(store: EventStore, streamId: string, events: readonly AnyDomainEvent[]): CommandGiven;
  /** Sends `command` through the dispatcher. */
  when<TCommand extends AnyCommand>(command: TCommand): CommandWhen<ResultOf<TCommand>>;
}

/** The "when" step of a {@link commandSpec}. */
export interface CommandWhen<TResult> {
  /** Asserts the committed events of the dispatch, by type and payload, in order. */
  thenEvents(expected: readonly ExpectedEvent[]): Promise<DispatchOutcome<TResult>>;
  /** Asserts the handler's result: equal by JSON value, or a predicate returning `false` to fail. */
  thenResult(
    expected: TResult | ((result: TResult) => boolean | undefined),
  ): Promise<DispatchOutcome<TResult>>;
  /**
   * Asserts that the dispatch failed: optionally with an error class or a pd `code`, looked up
   * through the `cause` chain (the bus wraps failures in `CommandExecutionError`), or a predicate.
   */
  thenThrows(expected?: ErrorExpectation): Promise<unknown>;
}

/**
 * A given/when/then specification of a command handler, through a real bus (`CommandBus`,
 * `MessageBus` or any {@link CommandDispatcher}) wired to fakes: arrange the fakes, send one
 * command, assert the committed events, the result, or the error. The bus's whole path runs —
 * behaviours, unit of work, commit — so a spec fails when, say, the handler forgets to save.
 *
 * @example
 * const store = new FakeEventStore();
 * const bus = new CommandBus().register(Withdraw, withdrawHandler(store), { uow: () => new FakeUnitOfWork() });
 * await commandSpec(bus)
 *   .givenEvents(store, `Account-${id}`, [new AccountOpened({ owner: 'ann', currency: 'EUR' })])
 *   .when(new Withdraw({ accountId: id, amount: 5 }))
 *   .thenThrows('INSUFFICIENT_FUNDS');
 */
export function commandSpec(dispatcher: CommandDispatcher): CommandGiven {
  return givenStep(dispatcher, []);
}

function givenStep(
  dispatcher: CommandDispatcher,
  arrangements: readonly Arrangement[],
): CommandGiven {
  return {
    given(arrange) {
      return givenStep(dispatcher, [...arrangements, arrange]);
    },
    givenEvents(store, streamId, events) {
      const list = [...events];
      return givenStep(dispatcher, [
        ...arrangements,
        () => store.appendToStream(streamId, list, { expectedVersion: 'any' }),
      ]);
    },
    when<TCommand extends AnyCommand>(command: TCommand): CommandWhen<ResultOf<TCommand>> {
      type TResult = ResultOf<TCommand>;
      let pending: Promise<Outcome<TResult>> | undefined;
      const label = `commandSpec(${command.commandType})`;
      const run = () => {
        pending ??= (async (): Promise<Outcome<TResult>> => {
          for (const arrange of arrangements) {
            try {
              await arrange();
            } catch (error) {
              fail(`${label}.given failed: ${describeError(error)}`);
            }
          }
          try {
            return { ok: true, outcome: await dispatcher.dispatch(command) };
          } catch (error) {
            return { ok: false, error };
          }
        })();
        return pending;
      };
      const succeeded = async (step: string) => {
        const result = await run();
        if (!result.ok) {
          fail(`${label}.${step}: the command failed: ${describeError(result.error)}`, {
            actual: describeError(result.error),
            expected: 'no error',
          });
        }
        return result.outcome;
      };
      return {
        async thenEvents(expected) {
          const outcome = await succeeded('thenEvents');
          assertEvents(`${label}.thenEvents`, outcome.events, expected);
          return outcome;
        },
        async thenResult(expected) {
          const outcome = await succeeded('thenResult');
          if (typeof expected === 'function') {
            const verdict = (expected as (result: TResult) => boolean | undefined)(outcome.result);
            if (verdict === false) {
              fail(
                `${label}.thenResult: the predicate returned false for ${JSON.stringify(jsonOf(outcome.result))}`,
              );
            }
          } else if (!sameJson(outcome.result, expected)) {
            fail(`${label}.thenResult: the result differs`, {
              actual: jsonOf(outcome.result),
              expected: jsonOf(expected),
            });
          }
          return outcome;
        },
        async thenThrows(expected) {
          const result = await run();
          if (result.ok) {
            fail(
              `${label}.thenThrows: expected ${describeExpectation(expected)}, but the command succeeded with result ${JSON.stringify(jsonOf(result.outcome.result))} and events:\n${listEvents(result.outcome.events.map(shapeOf))}`,
            );
          }
          if (!errorMatches(result.error, expected)) {
            fail(
              `${label}.thenThrows: expected ${describeExpectation(expected)}, but it failed with ${describeError(result.error)}`,
              { actual: describeError(result.error), expected: describeExpectation(expected) },
            );
          }
          return result.error;
        },
      };
    },
  };
}
