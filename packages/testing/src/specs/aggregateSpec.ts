import type { AnyAggregateRoot, AnyDomainEvent } from '@pd/ddd';
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

/** Any aggregate class: a level-1 `AggregateRoot` or an `EventSourcedAggregateRoot`. */
export type AggregateClass<TAggregate extends AnyAggregateRoot> = abstract new (
  ...args: never[]
) => TAggregate;

/**
 * What {@link AggregateWhen.thenState} accepts: some of the aggregate's fields, compared by JSON
 * value (a value object equals its plain JSON), or a predicate that returns `false` or throws to
 * fail.
 */
export type StateExpectation<TAggregate> =
  | { readonly [K in keyof TAggregate]?: unknown }
  | ((aggregate: TAggregate) => boolean | undefined);

/** Options of {@link aggregateSpec}. */
export interface AggregateSpecOptions {
  /** Id of the aggregate built from `given` events (default: a fresh id from its generator). */
  readonly id?: unknown;
}

type Outcome<TAggregate> =
  | {
      readonly ok: true;
      readonly aggregate: TAggregate;
      readonly events: readonly AnyDomainEvent[];
    }
  | { readonly ok: false; readonly error: unknown };

/** The "when" step of an {@link aggregateSpec}: what the command method did, asserted. */
export interface AggregateWhen<TAggregate extends AnyAggregateRoot> {
  /** Asserts the events recorded by `when`, by type and payload, in order. Resolves to the aggregate. */
  thenEvents(expected: readonly ExpectedEvent[]): Promise<TAggregate>;
  /** Asserts that `when` recorded no event. */
  thenNoEvents(): Promise<TAggregate>;
  /** Asserts the aggregate's state after `when` (some fields, or a predicate). */
  thenState(expected: StateExpectation<TAggregate>): Promise<TAggregate>;
  /**
   * Asserts that `when` threw: optionally an error class, a pd error `code` (also found on the
   * `cause` chain) or a predicate. Resolves to the error.
   */
  thenThrows(expected?: ErrorExpectation): Promise<unknown>;
}

/** The "given" step of an {@link aggregateSpec}. */
export interface AggregateGiven<TAggregate extends AnyAggregateRoot> {
  /**
   * The history (event-sourced aggregates only: the events are replayed, not recorded), or a
   * function building the starting aggregate (any aggregate; events it records are cleared).
   */
  given(
    history: readonly AnyDomainEvent[] | (() => TAggregate | Promise<TAggregate>),
  ): AggregateGiven<TAggregate>;
  /**
   * Runs a command method. When `action` returns an aggregate of the spec's class (a factory
   * such as `Account.open(...)`), that aggregate becomes the subject of the `then…` steps.
   */
  when(action: (aggregate: TAggregate) => unknown): AggregateWhen<TAggregate>;
}

/**
 * A given/when/then specification of one aggregate: start from past events (or a built
 * aggregate), run one command method, then assert the recorded events, the resulting state or
 * the error. Events compare by type and payload only. Failures throw `node:assert`'s
 * `AssertionError` with both event lists, so it works under vitest, jest and `node:test`.
 * `given` and `when` run once, on the first `then…`; await each `then…`.
 *
 * @example
 * await aggregateSpec(Account)
 *   .given([new AccountOpened({ owner: 'ann', currency: 'EUR' }), new MoneyDeposited({ amount: 10 })])
 *   .when((account) => account.withdraw(4))
 *   .thenEvents([new MoneyWithdrawn({ amount: 4 })]);
 *
 * await aggregateSpec(Account).given([opened]).when((a) => a.withdraw(99)).thenThrows('INSUFFICIENT_FUNDS');
 */
export function aggregateSpec<TAggregate extends AnyAggregateRoot>(
  type: AggregateClass<TAggregate>,
  options: AggregateSpecOptions = {},
): AggregateGiven<TAggregate> {
  return givenStep(type, options, undefined);
}

type Arrange<TAggregate> = () => Promise<TAggregate>;

function givenStep<TAggregate extends AnyAggregateRoot>(
  type: AggregateClass<TAggregate>,
  options: AggregateSpecOptions,
  arrange: Arrange<TAggregate> | undefined,
): AggregateGiven<TAggregate> {
  return {
    given(history) {
      if (typeof history === 'function') {
        return givenStep(type, options, async () => {
          const aggregate = await history();
          if (!(aggregate instanceof type)) {
            fail(`aggregateSpec(${nameOf(type)}).given: the function returned no ${nameOf(type)}`);
          }
          aggregate.clearEvents();
          return aggregate;
        });
      }
      const events = [...history];
      return givenStep(type, options, async () => {
        const aggregate = blank(type, options);
        try {
          replay(aggregate, events);
        } catch (error) {
          fail(
            `aggregateSpec(${nameOf(type)}).given: replaying the history failed: ${describeError(error)}`,
          );
        }
        return aggregate;
      });
    },
    when(action) {
      let outcome: Promise<Outcome<TAggregate>> | undefined;
      const run = () => {
        outcome ??= execute(type, options, arrange, action);
        return outcome;
      };
      const label = `aggregateSpec(${nameOf(type)})`;
      const succeeded = async (step: string) => {
        const result = await run();
        if (!result.ok) {
          fail(`${label}.${step}: when threw ${describeError(result.error)}`, {
            actual: describeError(result.error),
            expected: 'no error',
          });
        }
        return result;
      };
      return {
        async thenEvents(expected) {
          const { aggregate, events } = await succeeded('thenEvents');
          assertEvents(`${label}.thenEvents`, events, expected);
          return aggregate;
        },
        async thenNoEvents() {
          const { aggregate, events } = await succeeded('thenNoEvents');
          assertEvents(`${label}.thenNoEvents`, events, []);
          return aggregate;
        },
        async thenState(expected) {
          const { aggregate } = await succeeded('thenState');
          assertState(`${label}.thenState`, aggregate, expected);
          return aggregate;
        },
        async thenThrows(expected) {
          const result = await run();
          if (result.ok) {
            fail(
              `${label}.thenThrows: expected ${describeExpectation(expected)}, but when succeeded and recorded:\n${listEvents(result.events.map(shapeOf))}`,
            );
          }
          if (!errorMatches(result.error, expected)) {
            fail(
              `${label}.thenThrows: expected ${describeExpectation(expected)}, but when threw ${describeError(result.error)}`,
              { actual: describeError(result.error), expected: describeExpectation(expected) },
            );
          }
          return result.error;
        },
      };
    },
  };
}

async function execute<TAggregate extends AnyAggregateRoot>(
  type: AggregateClass<TAggregate>,
  options: AggregateSpecOptions,
  arrange: Arrange<TAggregate> | undefined,
  action: (aggregate: TAggregate) => unknown,
): Promise<Outcome<TAggregate>> {
  const subject = arrange === undefined ? blank(type, options) : await arrange();
  try {
    const returned = await action(subject);
    const aggregate = returned instanceof type ? returned : subject;
    return { ok: true, aggregate, events: [...aggregate.peekEvents()] };
  } catch (error) {
    return { ok: false, error };
  }
}

function blank<TAggregate extends AnyAggregateRoot>(
  type: AggregateClass<TAggregate>,
  options: AggregateSpecOptions,
): TAggregate {
  if (!isEventSourced(type)) {
    fail(
      `aggregateSpec(${nameOf(type)}): it is not event-sourced, so give its starting state as a function: .given(() => new ${nameOf(type)}({ … }))`,
    );
  }
  const Ctor = type as unknown as new (input?: { id: unknown }) => TAggregate;
  return options.id === undefined ? new Ctor() : new Ctor({ id: options.id });
}

function replay(aggregate: AnyAggregateRoot, events: readonly AnyDomainEvent[]): void {
  (aggregate as unknown as { replay(events: Iterable<AnyDomainEvent>): unknown }).replay(events);
}

function isEventSourced(type: AggregateClass<AnyAggregateRoot>): boolean {
  return typeof (type.prototype as { replay?: unknown }).replay === 'function';
}

function nameOf(type: { readonly name: string }): string {
  return (type as { typeName?: unknown }).typeName === undefined
    ? type.name
    : String((type as { typeName?: unknown }).typeName);
}

/** Asserts a partial state or predicate against any object. */
export function assertState<TTarget>(
  what: string,
  target: TTarget,
  expected: StateExpectation<TTarget>,
): void {
  if (typeof expected === 'function') {
    const verdict = expected(target);
    if (verdict === false) fail(`${what}: the predicate returned false for ${preview(target)}`);
    return;
  }
  const actual: Record<string, unknown> = {};
  const wanted: Record<string, unknown> = {};
  let differs = false;
  for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
    const current = (target as Record<string, unknown>)[key];
    actual[key] = jsonOf(current);
    wanted[key] = jsonOf(value);
    if (!sameJson(current, value)) differs = true;
  }
  if (differs) {
    const keys = Object.keys(wanted).filter((k) => !sameJson(actual[k], wanted[k]));
    fail(
      `${what}: ${keys.map((k) => `${k} is ${JSON.stringify(actual[k])}, expected ${JSON.stringify(wanted[k])}`).join('; ')}`,
      { actual, expected: wanted },
    );
  }
}

function preview(value: unknown): string {
  try {
    return JSON.stringify(jsonOf(value)).slice(0, 500);
  } catch {
    return String(value);
  }
}
