// Workload 1: command dispatch through CommandBus with three behaviours.
import {
  CommandBus,
  IdempotencyBehavior,
  InMemoryProcessedCommandStore,
  InMemoryUnitOfWork,
  type Logger,
  LoggingBehavior,
  ValidationBehavior,
} from '@pd/cqrs';
import { ValidationError } from '@pd/ddd';
import { expectEqual, sized } from '../harness/measure.js';
import type { BenchCase, CaseContext, Runner } from '../harness/types.js';
import { Deposit } from './domain.js';

const noopLogger: Logger = { info() {}, error() {} };

const dispatches = (context: CaseContext, variant: 'pd' | 'baseline'): number =>
  sized(
    context,
    variant === 'pd'
      ? { full: 20_000, quick: 2_000, smoke: 50 }
      : { full: 500_000, quick: 20_000, smoke: 50 },
  );

/** The commands of one run: built before the clock starts (construction is workload 2). */
const commands = (n: number): Deposit[] =>
  Array.from(
    { length: n },
    (_, i) => new Deposit({ accountId: `acc-${i % 100}`, amount: (i % 9) + 1 }),
  );

function busRunner(context: CaseContext, withBehaviors: boolean): Runner {
  const n = dispatches(context, 'pd');
  let bus: CommandBus;
  let inputs: Deposit[] = [];
  let total = 0;
  return {
    units: n,
    prepare() {
      // A fresh bus per run: the idempotency store starts empty and grows by n records, as it
      // would over n commands.
      bus = new CommandBus();
      if (withBehaviors) {
        bus
          .use(new LoggingBehavior({ logger: noopLogger }))
          .use(
            new ValidationBehavior().register(Deposit, (cmd) => {
              if (cmd.amount > 1_000_000)
                throw ValidationError.of('Deposit', 'amount', 'too large');
            }),
          )
          .use(new IdempotencyBehavior(new InMemoryProcessedCommandStore()));
      }
      bus.register(Deposit, (cmd) => cmd.amount, { uow: () => new InMemoryUnitOfWork() });
      inputs = commands(n);
      total = 0;
    },
    async run() {
      for (const command of inputs) total += await bus.send(command);
      return undefined;
    },
    verify() {
      expectEqual(total, expectedTotal(n), 'sum of handler results');
    },
  };
}

const expectedTotal = (n: number): number => {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (i % 9) + 1;
  return sum;
};

interface PlainCommand {
  readonly type: string;
  readonly commandId: string;
  readonly accountId: string;
  readonly amount: number;
}

function baselineRunner(context: CaseContext): Runner {
  const n = dispatches(context, 'baseline');
  const handlers = new Map<string, (command: PlainCommand) => Promise<number>>([
    ['Deposit', async (command) => command.amount],
  ]);
  let inputs: PlainCommand[] = [];
  let total = 0;
  return {
    units: n,
    prepare() {
      inputs = Array.from({ length: n }, (_, i) => ({
        type: 'Deposit',
        commandId: `c-${i}`,
        accountId: `acc-${i % 100}`,
        amount: (i % 9) + 1,
      }));
      total = 0;
    },
    async run() {
      for (const command of inputs) {
        const handler = handlers.get(command.type);
        if (handler === undefined) throw new Error(`no handler for ${command.type}`);
        total += await handler(command);
      }
      return undefined;
    },
    verify() {
      expectEqual(total, expectedTotal(n), 'sum of handler results');
    },
  };
}

export const commandDispatchCases: readonly BenchCase[] = [
  {
    id: '1-dispatch',
    workload: 1,
    title: 'Command dispatch, 3 behaviours + in-memory unit of work',
    unit: 'dispatches',
    postgres: false,
    note: 'bus.send(cmd) with Logging (no-op logger), Validation, Idempotency (in-memory store); commands pre-built',
    pd: async (context) => busRunner(context, true),
    baseline: async (context) => baselineRunner(context),
  },
  {
    id: '1b-dispatch-bare',
    workload: 1,
    title: 'Command dispatch, no behaviours (breakdown)',
    unit: 'dispatches',
    postgres: false,
    note: 'same bus with no behaviours: the cost of the bus, unit of work and tracing alone',
    pd: async (context) => busRunner(context, false),
    baseline: async (context) => baselineRunner(context),
  },
];
