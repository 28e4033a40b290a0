import {
  Command,
  CommandBus,
  type CommandExecutionError,
  IdempotencyBehavior,
  InMemoryProcessedCommandStore,
  InMemoryUnitOfWork,
  Query,
  QueryBus,
} from '@pd/cqrs';
import { InMemoryRepository, isPdError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  deferred,
  failingCommits,
  flush,
  Order,
  type OrderRepository,
  RenameOrder,
} from '../testSupport/shop.js';

class Charge extends Command<{ receipt: number }>()('Charge', { amount: z.number() }) {}
class Notify extends Command()('Notify', {}) {}

function setup() {
  const store = new InMemoryProcessedCommandStore();
  let runs = 0;
  const bus = new CommandBus().use(new IdempotencyBehavior(store));
  bus.register(
    Charge,
    () => {
      runs++;
      return { receipt: runs };
    },
    { uow: () => new InMemoryUnitOfWork() },
  );
  return { store, bus, runs: () => runs };
}

describe('IdempotencyBehavior', () => {
  it('runs a command id once and returns the first result to a repeat', async () => {
    const { bus, store, runs } = setup();
    const cmd = new Charge({ amount: 5 });
    await expect(bus.send(cmd)).resolves.toEqual({ receipt: 1 });
    await expect(bus.send(cmd)).resolves.toEqual({ receipt: 1 });
    await expect(bus.send(Charge.fromJSON(cmd.toJSON()))).resolves.toEqual({ receipt: 1 });
    expect(runs()).toBe(1);
    expect(await store.get(cmd.commandId)).toEqual({ completed: { receipt: 1 } });
    await expect(bus.send(new Charge({ amount: 5 }))).resolves.toEqual({ receipt: 2 });
  });

  it('honours a cached undefined result of a void command', async () => {
    const store = new InMemoryProcessedCommandStore();
    let runs = 0;
    const bus = new CommandBus().use(new IdempotencyBehavior(store));
    bus.register(
      Notify,
      () => {
        runs++;
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    const cmd = new Notify({});
    await bus.send(cmd);
    await bus.send(cmd);
    expect(runs).toBe(1);
  });

  it('writes the record inside the commit (before-commit hook), not when the handler returns (fix 10.2 #7)', async () => {
    const store = new InMemoryProcessedCommandStore();
    const cmd = new Charge({ amount: 1 });
    let recordedAtHandlerEnd: boolean | undefined;
    let recordedBeforeStorageCommit: boolean | undefined;
    class ProbeUow extends InMemoryUnitOfWork {
      protected override async commitTransaction(): Promise<void> {
        recordedBeforeStorageCommit = await store.contains(cmd.commandId);
      }
    }
    const bus = new CommandBus().register(Charge, () => ({ receipt: 1 }), {
      uow: () => new ProbeUow(),
      behaviors: [
        {
          // Outside the idempotency behaviour: sees the state once it and the handler returned.
          handle: async (_ctx, next) => {
            const result = await next();
            recordedAtHandlerEnd = await store.contains(cmd.commandId);
            return result;
          },
        },
        new IdempotencyBehavior(store),
      ],
    });
    await bus.send(cmd);
    expect(recordedAtHandlerEnd).toBe(false);
    expect(recordedBeforeStorageCommit).toBe(true);
  });

  it('leaves no record when the commit fails, so a retry with the same command id really runs (fix 10.2 #7)', async () => {
    const orders: OrderRepository = new InMemoryRepository<Order>();
    const order = new Order({ name: 'a' });
    await orders.save(order);
    const store = new InMemoryProcessedCommandStore();
    const failing = failingCommits(1);
    let runs = 0;
    const bus = new CommandBus().use(new IdempotencyBehavior(store));
    bus.register(
      RenameOrder,
      () => {
        runs++;
        return { version: runs };
      },
      { uow: () => failing.make(orders) },
    );
    const cmd = new RenameOrder({ orderId: order.id, name: 'b' });
    const error = (await bus.send(cmd).catch((e: unknown) => e)) as CommandExecutionError;
    expect(error.causeCode).toBe('CONCURRENCY');
    expect(await store.contains(cmd.commandId)).toBe(false);
    expect(store.size).toBe(0);
    await expect(bus.send(cmd)).resolves.toEqual({ version: 2 });
    expect(runs).toBe(2);
  });

  it('rejects a concurrent duplicate with CommandInFlightError instead of running it twice (fix 10.2 #7)', async () => {
    const store = new InMemoryProcessedCommandStore();
    const gate = deferred();
    let runs = 0;
    const bus = new CommandBus().use(new IdempotencyBehavior(store));
    bus.register(
      Charge,
      async () => {
        runs++;
        await gate.promise;
        return { receipt: runs };
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    const cmd = new Charge({ amount: 1 });
    const first = bus.send(cmd);
    await flush();
    const duplicate = (await bus.send(cmd).catch((e: unknown) => e)) as CommandExecutionError;
    expect(duplicate.causeCode).toBe('COMMAND_IN_FLIGHT');
    expect(isPdError(duplicate.cause, 'COMMAND_IN_FLIGHT')).toBe(true);
    gate.resolve();
    await expect(first).resolves.toEqual({ receipt: 1 });
    expect(runs).toBe(1);
    await expect(bus.send(cmd)).resolves.toEqual({ receipt: 1 });
  });

  it('releases the claim when the handler fails, so the command can run again', async () => {
    const store = new InMemoryProcessedCommandStore();
    let fail = true;
    const bus = new CommandBus().use(new IdempotencyBehavior(store));
    bus.register(
      Charge,
      () => {
        if (fail) throw new Error('card declined');
        return { receipt: 9 };
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    const cmd = new Charge({ amount: 1 });
    await expect(bus.send(cmd)).rejects.toThrow(/card declined/);
    fail = false;
    await expect(bus.send(cmd)).resolves.toEqual({ receipt: 9 });
  });

  it('passes queries through untouched', async () => {
    class Count extends Query<number>()('Count', {}) {}
    const store = new InMemoryProcessedCommandStore();
    let runs = 0;
    const queries = new QueryBus()
      .use(new IdempotencyBehavior(store))
      .register(Count, () => ++runs);
    const query = new Count({});
    await queries.ask(query);
    await queries.ask(query);
    expect(runs).toBe(2);
    expect(store.size).toBe(0);
  });
});

describe('InMemoryProcessedCommandStore', () => {
  it('claims once, reports in-flight, completes and releases', async () => {
    const store = new InMemoryProcessedCommandStore();
    expect(await store.claim('c1')).toBe('claimed');
    expect(await store.claim('c1')).toBe('in-flight');
    expect(await store.get('c1')).toBeUndefined();
    expect(await store.contains('c1')).toBe(false);
    await store.complete('c1', { ok: true });
    expect(await store.claim('c1')).toEqual({ completed: { ok: true } });
    expect(await store.contains('c1')).toBe(true);
    await store.release('c1');
    expect(await store.claim('c1')).toBe('claimed');
    await store.release('unknown');
  });
});
