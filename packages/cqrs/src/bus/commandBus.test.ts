import {
  Command,
  CommandBus,
  CommandExecutionError,
  HandlerAlreadyRegisteredError,
  InMemoryUnitOfWork,
  type MessageContext,
  NoHandlerRegisteredError,
  type PipelineBehavior,
  retryOnConcurrency,
  type UnitOfWork,
} from '@pd/cqrs';
import { DomainError, InMemoryRepository, isPdError, ValidationError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  deferred,
  failingCommits,
  flush,
  Order,
  type OrderRepository,
  RenameOrder,
  ShopUnitOfWork,
} from '../testSupport/shop.js';

class Ping extends Command<string>()('Ping', { text: z.string() }) {}
class Forget extends Command()('Forget', {}) {}

function shop() {
  const orders: OrderRepository = new InMemoryRepository<Order>();
  const uows: ShopUnitOfWork[] = [];
  const makeUow = () => {
    const uow = new ShopUnitOfWork(orders);
    uows.push(uow);
    return uow;
  };
  const rename = async (cmd: RenameOrder, uow: ShopUnitOfWork) => {
    const order = await uow.orders.getById(cmd.orderId);
    if (order === undefined) throw new DomainError('no such order');
    order.rename(cmd.name);
    await uow.orders.save(order);
    return { version: order.version };
  };
  return { orders, uows, makeUow, rename };
}

async function seed(orders: OrderRepository): Promise<Order> {
  const order = new Order({ name: 'first' });
  await orders.save(order);
  orders.pullEvents();
  return order;
}

describe('CommandBus registration', () => {
  it('rejects a second handler for the same type name', () => {
    const bus = new CommandBus().register(Ping, (c) => c.text, {
      uow: () => new InMemoryUnitOfWork(),
    });
    expect(() =>
      bus.register(Ping, (c) => c.text, { uow: () => new InMemoryUnitOfWork() }),
    ).toThrow(HandlerAlreadyRegisteredError);
    expect(bus.has(Ping)).toBe(true);
    expect(bus.has('Forget')).toBe(false);
  });

  it('validates its arguments', () => {
    const bus = new CommandBus();
    expect(() => bus.register(Ping, (c) => c.text, {} as never)).toThrow(ValidationError);
    expect(() =>
      bus.register({} as never, () => 'x', { uow: () => new InMemoryUnitOfWork() }),
    ).toThrow(ValidationError);
  });

  it('throws NoHandlerRegisteredError directly, before making any unit of work', async () => {
    let made = 0;
    const bus = new CommandBus().register(Ping, (c) => c.text, {
      uow: () => {
        made++;
        return new InMemoryUnitOfWork();
      },
    });
    const error = await bus.send(new Forget({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoHandlerRegisteredError);
    expect(isPdError(error, 'NO_HANDLER')).toBe(true);
    expect(made).toBe(0);
  });
});

describe('CommandBus dispatch', () => {
  it('returns sync and async handler results; a void command resolves to undefined', async () => {
    const bus = new CommandBus()
      .register(Ping, (c) => `pong ${c.text}`, { uow: () => new InMemoryUnitOfWork() })
      .register(Forget, async () => {}, { uow: () => new InMemoryUnitOfWork() });
    await expect(bus.send(new Ping({ text: 'a' }))).resolves.toBe('pong a');
    await expect(bus.dispatch(new Forget({}))).resolves.toEqual({ result: undefined, events: [] });
  });

  it('runs the handler in a fresh, begun unit of work and returns its committed, stamped events', async () => {
    const { orders, uows, makeUow, rename } = shop();
    const order = await seed(orders);
    const bus = new CommandBus().register(RenameOrder, rename, { uow: makeUow });
    const cmd = new RenameOrder({ orderId: order.id, name: 'second' });
    const { result, events } = await bus.dispatch(cmd);
    await bus.send(new RenameOrder({ orderId: order.id, name: 'third' }));

    expect(result).toEqual({ version: 2 });
    expect(uows).toHaveLength(2);
    expect(uows[0]?.status).toBe('committed');
    expect(uows[0]?.context).toEqual({
      commandId: cmd.commandId,
      correlationId: cmd.commandId,
      causationId: cmd.commandId,
    });
    expect(events.map((e) => e.payload())).toEqual([{ orderId: order.id, name: 'second' }]);
    expect(events[0]?.correlationId).toBe(cmd.commandId);
  });

  it('uses the command’s own tracing ids when it has them', async () => {
    const { orders, uows, makeUow, rename } = shop();
    const order = await seed(orders);
    const bus = new CommandBus().register(RenameOrder, rename, { uow: makeUow });
    const cmd = new RenameOrder(
      { orderId: order.id, name: 'x' },
      { correlationId: 'corr', causationId: 'cause' },
    );
    const { events } = await bus.dispatch(cmd);
    expect(uows[0]?.context).toMatchObject({ correlationId: 'corr', causationId: 'cause' });
    expect([events[0]?.correlationId, events[0]?.causationId]).toEqual(['corr', 'cause']);
  });

  it('wraps a handler failure in CommandExecutionError (cause, causeCode) after exactly one rollback', async () => {
    const { orders, uows, makeUow } = shop();
    await seed(orders);
    const domainError = new DomainError('not allowed', { code: 'ORDER_LOCKED' });
    const bus = new CommandBus().register(
      RenameOrder,
      () => {
        throw domainError;
      },
      { uow: makeUow },
    );
    const cmd = new RenameOrder({ orderId: 'o', name: 'x' });
    const error = (await bus.send(cmd).catch((e: unknown) => e)) as CommandExecutionError;
    expect(error).toBeInstanceOf(CommandExecutionError);
    expect(error.cause).toBe(domainError);
    expect(error.causeCode).toBe('ORDER_LOCKED');
    expect(error.commandId).toBe(cmd.commandId);
    expect(error.attempts).toBe(1);
    expect(uows[0]?.log).toEqual(['rollback']);
    expect(uows[0]?.status).toBe('rolledBack');
  });

  it('rolls back exactly once when the commit itself fails (fix 10.2 #10, #11)', async () => {
    const { orders } = shop();
    const order = await seed(orders);
    const failing = failingCommits(1);
    const made: ShopUnitOfWork[] = [];
    const bus = new CommandBus().register(
      RenameOrder,
      async (cmd, uow) => {
        const o = await uow.orders.getById(cmd.orderId);
        o?.rename(cmd.name);
        if (o) await uow.orders.save(o);
        return { version: o?.version ?? 0 };
      },
      {
        uow: () => {
          const uow = failing.make(orders);
          made.push(uow);
          return uow;
        },
      },
    );
    const error = (await bus
      .send(new RenameOrder({ orderId: order.id, name: 'x' }))
      .catch((e: unknown) => e)) as CommandExecutionError;
    expect(error.causeCode).toBe('CONCURRENCY');
    expect(made[0]?.log).toEqual(['rollback']);
  });

  it('never returns control without a commit or a rollback of the unit of work (fix 10.2 #11)', async () => {
    const seen: UnitOfWork[] = [];
    const bus = new CommandBus()
      .register(Ping, (c) => c.text, {
        uow: () => {
          const uow = new InMemoryUnitOfWork();
          seen.push(uow);
          return uow;
        },
      })
      .register(
        Forget,
        () => {
          throw new Error('x');
        },
        {
          uow: () => {
            const uow = new InMemoryUnitOfWork();
            seen.push(uow);
            return uow;
          },
        },
      );
    await bus.send(new Ping({ text: 'a' }));
    await bus.send(new Forget({})).catch(() => undefined);
    expect(seen.map((u) => u.status)).toEqual(['committed', 'rolledBack']);
  });

  it('does not let a failed command’s events surface in the next command’s result (fix 10.2 #6)', async () => {
    const { orders, makeUow } = shop();
    const order = await seed(orders);
    const bus = new CommandBus().register(
      RenameOrder,
      async (cmd, uow) => {
        const o = await uow.orders.getById(cmd.orderId);
        if (!o) throw new Error('missing');
        o.rename(cmd.name);
        await uow.orders.save(o); // the repository (which outlives the uow) now buffers the event
        if (cmd.name === 'fail') throw new Error('after save');
        return { version: o.version };
      },
      { uow: makeUow },
    );
    await expect(bus.send(new RenameOrder({ orderId: order.id, name: 'fail' }))).rejects.toThrow(
      CommandExecutionError,
    );
    const { events } = await bus.dispatch(new RenameOrder({ orderId: order.id, name: 'ok' }));
    expect(events.map((e) => (e.payload() as { name: string }).name)).toEqual(['ok']);
  });

  it('keeps concurrent commands on a shared repository apart: a failing one’s events and writes never surface', async () => {
    const { orders, makeUow } = shop();
    const a = await seed(orders);
    const b = new Order({ name: 'second' });
    await orders.save(b);
    orders.pullEvents();
    const gate = deferred();
    const bus = new CommandBus().register(
      RenameOrder,
      async (cmd, uow) => {
        const order = await uow.orders.getById(cmd.orderId);
        if (!order) throw new Error('missing');
        order.rename(cmd.name);
        await uow.orders.save(order);
        if (cmd.name === 'A-fails') {
          await gate.promise; // B commits while A is between its save and its failure
          throw new Error('A fails after saving');
        }
        return { version: order.version };
      },
      { uow: makeUow },
    );
    const failing = bus.dispatch(new RenameOrder({ orderId: a.id, name: 'A-fails' }));
    await flush();
    const { events } = await bus.dispatch(new RenameOrder({ orderId: b.id, name: 'B-ok' }));
    gate.resolve(undefined);
    await expect(failing).rejects.toThrow(CommandExecutionError);

    expect(events.map((e) => (e.payload() as { name: string }).name)).toEqual(['B-ok']);
    expect((await orders.getById(a.id))?.name).toBe('first'); // the failed command left no trace
    expect((await orders.getById(a.id))?.version).toBe(1);
    expect((await orders.getById(b.id))?.name).toBe('B-ok');
    expect(orders.pullEvents()).toEqual([]);
  });

  it('a command whose storage commit fails after the repository flushed leaves the store as it was', async () => {
    const { orders, rename } = shop();
    const order = await seed(orders);
    const failing = failingCommits(1);
    const bus = new CommandBus().register(RenameOrder, rename, {
      uow: () => failing.make(orders),
    });
    await expect(bus.send(new RenameOrder({ orderId: order.id, name: 'lost' }))).rejects.toThrow(
      CommandExecutionError,
    );
    expect((await orders.getById(order.id))?.name).toBe('first');
    expect((await orders.getById(order.id))?.version).toBe(1);
  });

  it('lets behaviours observe the committed events through the unit of work (no hidden newEvents, fix 10.3 #18)', async () => {
    const { orders, makeUow, rename } = shop();
    const order = await seed(orders);
    const observed: string[] = [];
    const observer: PipelineBehavior = {
      async handle(ctx: MessageContext, next) {
        ctx.uow?.onAfterCommit((events) => {
          observed.push(...events.map((e) => e.eventType));
        });
        return next();
      },
    };
    const bus = new CommandBus().register(RenameOrder, rename, {
      uow: makeUow,
      behaviors: [observer],
    });
    let ctxKeys: string[] = [];
    bus.use({
      handle: async (ctx, next) => {
        ctxKeys = Object.keys(ctx);
        return next();
      },
    });
    await bus.send(new RenameOrder({ orderId: order.id, name: 'x' }));
    expect(observed).toEqual(['OrderRenamed']);
    expect(ctxKeys).not.toContain('newEvents');
  });

  it('runs global behaviours outside per-registration ones, including those added after register', async () => {
    const log: string[] = [];
    const tag = (name: string): PipelineBehavior => ({
      handle: async (_ctx, next) => {
        log.push(name);
        return next();
      },
    });
    const bus = new CommandBus({ behaviors: [tag('global1')] });
    bus.register(Ping, (c) => c.text, {
      uow: () => new InMemoryUnitOfWork(),
      behaviors: [tag('local')],
    });
    bus.use(tag('global2'));
    await bus.send(new Ping({ text: 'a' }));
    expect(log).toEqual(['global1', 'global2', 'local']);
  });

  it('commits even when a behaviour short-circuits', async () => {
    const seen: InMemoryUnitOfWork[] = [];
    const bus = new CommandBus().register(Ping, () => 'handler', {
      uow: () => {
        const uow = new InMemoryUnitOfWork();
        seen.push(uow);
        return uow;
      },
      behaviors: [{ handle: async () => 'short' }],
    });
    await expect(bus.send(new Ping({ text: 'a' }))).resolves.toBe('short');
    expect(seen[0]?.status).toBe('committed');
  });
});

describe('CommandBus retry on concurrency conflicts', () => {
  function retryingBus(conflicts: number, maxAttempts: number) {
    const { orders, rename } = shop();
    const failing = failingCommits(conflicts);
    const made: ShopUnitOfWork[] = [];
    const waits: number[] = [];
    let handlerRuns = 0;
    const bus = new CommandBus().register(
      RenameOrder,
      async (cmd, uow) => {
        handlerRuns++;
        return rename(cmd, uow);
      },
      {
        uow: () => {
          const uow = failing.make(orders);
          made.push(uow);
          return uow;
        },
        retry: retryOnConcurrency({
          maxAttempts,
          backoffMs: (attempt) => attempt * 100,
          sleep: async (ms) => {
            waits.push(ms);
          },
        }),
      },
    );
    return { bus, orders, made, waits, runs: () => handlerRuns };
  }

  it('re-runs the whole unit of work (fresh uow per attempt) until the commit succeeds', async () => {
    const { bus, orders, made, waits, runs } = retryingBus(2, 3);
    const order = await seed(orders);
    const { result, events } = await bus.dispatch(
      new RenameOrder({ orderId: order.id, name: 'x' }),
    );
    expect(runs()).toBe(3);
    expect(made.map((u) => u.status)).toEqual(['rolledBack', 'rolledBack', 'committed']);
    expect(waits).toEqual([100, 200]);
    // The two failed attempts wrote nothing: the committed one saved over version 1.
    expect(result.version).toBe(2);
    expect((await orders.getById(order.id))?.version).toBe(2);
    expect(events).toHaveLength(1);
  });

  it('gives up after maxAttempts with the last attempt’s error and the attempt count', async () => {
    const { bus, orders, runs, waits } = retryingBus(5, 3);
    const order = await seed(orders);
    const error = (await bus
      .send(new RenameOrder({ orderId: order.id, name: 'x' }))
      .catch((e: unknown) => e)) as CommandExecutionError;
    expect(error).toBeInstanceOf(CommandExecutionError);
    expect(error.attempts).toBe(3);
    expect(error.causeCode).toBe('CONCURRENCY');
    expect(error.message).toMatch(/after 3 attempts/);
    expect(runs()).toBe(3);
    expect(waits).toEqual([100, 200]);
  });

  it('does not retry other failures, and a bus-wide policy applies to every registration', async () => {
    let runs = 0;
    const bus = new CommandBus({
      retry: retryOnConcurrency({ maxAttempts: 5, sleep: async () => {} }),
    });
    bus.register(
      Ping,
      () => {
        runs++;
        throw new DomainError('no');
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    const error = (await bus
      .send(new Ping({ text: 'a' }))
      .catch((e: unknown) => e)) as CommandExecutionError;
    expect(runs).toBe(1);
    expect(error.attempts).toBe(1);
    expect(() => retryOnConcurrency({ maxAttempts: 0 })).toThrow(ValidationError);
  });
});
