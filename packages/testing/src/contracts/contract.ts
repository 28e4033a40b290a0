/** One named, self-contained test of a contract suite. */
export interface ContractCase {
  readonly name: string;
  /** Builds a fresh store with the suite's factory, runs the check, tears the fixture down. */
  run(): Promise<void>;
}

/**
 * A contract suite: a list of named async cases that import no test runner. Register it with
 * {@link registerContract} under vitest, jest or `node:test`, or run it with {@link runContract}.
 * Filter `cases` to leave out a case your store cannot support.
 */
export interface ContractSuite {
  readonly name: string;
  readonly cases: readonly ContractCase[];
}

/** What every contract factory receives. */
export interface FixtureContext {
  /** Registers a cleanup run after the case (in reverse order), pass or fail: close pools, drop schemas. */
  onTeardown(cleanup: () => void | Promise<void>): void;
}

/**
 * Makes a fresh, empty store for one contract case. Called once per case.
 *
 * @example
 * eventStoreContract(async ({ onTeardown }) => {
 *   const db = await PGlite.create();
 *   onTeardown(() => db.close());
 *   return new PostgresEventStore(db);
 * });
 */
export type StoreFactory<TStore, TContext extends FixtureContext = FixtureContext> = (
  context: TContext,
) => TStore | Promise<TStore>;

/** The `describe` and `it` of a test runner (vitest, jest and `node:test` all fit). */
export interface ContractRunner {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => Promise<void>): unknown;
}

/**
 * Registers every case of `suite` with a test runner: one `describe` named after the suite, one
 * `it` per case.
 *
 * @example
 * // vitest
 * import { describe, it } from 'vitest';
 * registerContract(eventStoreContract(() => new MyEventStore()), { describe, it });
 * // node:test
 * import { describe, it } from 'node:test';
 * registerContract(eventStoreContract(() => new MyEventStore()), { describe, it });
 */
export function registerContract(suite: ContractSuite, runner: ContractRunner): void {
  runner.describe(suite.name, () => {
    for (const testCase of suite.cases) runner.it(testCase.name, () => testCase.run());
  });
}

/** What {@link runContract} found. */
export interface ContractReport {
  readonly passed: readonly string[];
  readonly failed: readonly { readonly name: string; readonly error: unknown }[];
}

/**
 * Runs every case of `suite` one after the other, without a test runner, and reports which
 * passed and which failed (with the error). Useful in scripts, and to prove that a suite fails
 * for a broken store.
 */
export async function runContract(suite: ContractSuite): Promise<ContractReport> {
  const passed: string[] = [];
  const failed: { name: string; error: unknown }[] = [];
  for (const testCase of suite.cases) {
    try {
      await testCase.run();
      passed.push(testCase.name);
    } catch (error) {
      failed.push({ name: testCase.name, error });
    }
  }
  return { passed, failed };
}

/** @internal Builds a suite whose cases each get a fresh store and run their teardowns. */
export function defineContract<TStore, TContext extends FixtureContext>(
  name: string,
  factory: StoreFactory<TStore, TContext>,
  context: Omit<TContext, 'onTeardown'>,
  cases: Readonly<Record<string, (store: TStore, context: TContext) => Promise<void>>>,
): ContractSuite {
  if (typeof factory !== 'function') {
    throw new TypeError(`${name}: pass a factory function that returns a fresh store`);
  }
  return {
    name,
    cases: Object.entries(cases).map(([caseName, body]) => ({
      name: caseName,
      async run() {
        const cleanups: (() => void | Promise<void>)[] = [];
        const ctx = {
          ...context,
          onTeardown: (cleanup: () => void | Promise<void>) => {
            cleanups.push(cleanup);
          },
        } as TContext;
        let failure: { error: unknown } | undefined;
        try {
          await body(await factory(ctx), ctx);
        } catch (error) {
          failure = { error };
        }
        for (const cleanup of cleanups.reverse()) {
          try {
            await cleanup();
          } catch (error) {
            failure ??= { error };
          }
        }
        if (failure !== undefined) throw failure.error;
      },
    })),
  };
}
