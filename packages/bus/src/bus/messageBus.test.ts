import {
  deadLetter,
  EventHandlingError,
  EventRegistry,
  GenericDomainEvent,
  InMemoryDeadLetterSink,
  MessageBus,
  type MessageBusOptions,
  retry,
} from '@pd/bus';
import {
  Command,
  CommandBus,
  type CommandDispatcher,
  CommandExecutionError,
  HandlerAlreadyRegisteredError,
  type PipelineBehavior,
  QueryBus,
} from '@pd/cqrs';
import { type AnyDomainEvent, InMemoryRepository, isPdError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfirmOrder,
  FailingCommand,
  GetOrderTotal,
  Order,
  OrderConfirmed,
  OrderPlaced,
  OrderShipped,
  PlaceOrder,
  recordingLogger,
  recordingSleep,
  ShopUnitOfWork,
  shopHandlers,
} from '../testSupport/shop.js';

function shop(options: MessageBusOptions = {}) {
  const orders = new InMemoryRepository<Order>();
  const logger = recordingLogger();
  const bus = new MessageBus({ logger, ...options });
  const h = shopHandlers(orders);
  bus
    .registerCommand(PlaceOrder, h.placeOrder, { uow: h.uow })
    .registerCommand(ConfirmOrder, h.confirmOrder, { uow: h.uow })
    .registerCommand(
      FailingCommand,
      () => {
        throw new Error('boom');
      },
      { uow: h.uow },
    )
    .registerQuery(GetOrderTotal, h.getOrderTotal);
  return { bus, orders, logger };
}

const boom = (label: string) => () => {
  throw new Error(label);
};

describe('MessageBus: commands, queries and post-commit events', () => {
  it('sends a command, returns its result and delivers its events to every handler, in registration order', async () => {
    const { bus } = shop();
    const seen: string[] = [];
    bus.on(OrderPlaced, (e) => void seen.push(`first:${e.orderId}:${e.total}`));
    bus.on(OrderPlaced, async (e) => void seen.push(`second:${e.orderId}`));
    const result = await bus.send(new PlaceOrder({ orderId: 'o-1', total: 30 }));
    expect(result).toEqual({ orderId: 'o-1' });
    expect(seen).toEqual(['first:o-1:30', 'second:o-1']);
  });

  it('delivers events only after the unit of work committed: handlers see the saved state', async () => {
    const { bus, orders } = shop();
    let totalSeenByHandler: number | undefined;
    bus.on(OrderPlaced, async (e) => {
      totalSeenByHandler = (await orders.getById(e.orderId))?.total;
    });
    await bus.send(new PlaceOrder({ orderId: 'o-1', total: 30 }));
    expect(totalSeenByHandler).toBe(30);
  });

  it('a failing command throws CommandExecutionError and delivers no events', async () => {
    const orders = new InMemoryRepository<Order>();
    const bus = new MessageBus({ logger: recordingLogger() });
    const seen: AnyDomainEvent[] = [];
    bus.on(OrderPlaced, (e) => void seen.push(e));
    bus.registerCommand(
      PlaceOrder,
      async (cmd, uow: ShopUnitOfWork) => {
        await uow.orders.save(Order.place(cmd.orderId, cmd.total));
        throw new Error('after save');
      },
      { uow: () => new ShopUnitOfWork(orders) },
    );
    const error = await bus
      .send(new PlaceOrder({ orderId: 'o-1', total: 1 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandExecutionError);
    expect(seen).toEqual([]);
  });

  it('uses injected command and query buses as they are (their handlers and behaviours)', async () => {
    const commandBus = new CommandBus();
    const queryBus = new QueryBus();
    const h = shopHandlers(new InMemoryRepository<Order>());
    commandBus.register(PlaceOrder, h.placeOrder, { uow: h.uow });
    queryBus.register(GetOrderTotal, () => 7);
    const bus = new MessageBus({ commandBus, queryBus, logger: recordingLogger() });
    const seen: string[] = [];
    bus.on(OrderPlaced, (e) => void seen.push(e.orderId));
    expect(bus.commandBus).toBe(commandBus);
    expect(await bus.send(new PlaceOrder({ orderId: 'o', total: 1 }))).toEqual({ orderId: 'o' });
    expect(await bus.ask(new GetOrderTotal({ orderId: 'o' }))).toBe(7);
    expect(seen).toEqual(['o']);
  });

  it('answers typed queries', async () => {
    const { bus } = shop();
    await bus.send(new PlaceOrder({ orderId: 'o-1', total: 42 }));
    expect(await bus.ask(new GetOrderTotal({ orderId: 'o-1' }))).toBe(42);
    expect(await bus.ask(new GetOrderTotal({ orderId: 'nope' }))).toBeUndefined();
  });

  it('rejects a second handler for a command type', () => {
    const { bus } = shop();
    expect(() =>
      bus.registerCommand(PlaceOrder, async (c) => ({ orderId: c.orderId }), {
        uow: () => new ShopUnitOfWork(new InMemoryRepository()),
      }),
    ).toThrow(HandlerAlreadyRegisteredError);
  });

  it('is a CommandDispatcher: dispatch returns result and events, and delivers them (closing the saga loop)', async () => {
    const { bus } = shop();
    const seen: string[] = [];
    bus.on(OrderPlaced, (e) => void seen.push(e.eventId));
    const dispatcher: CommandDispatcher = bus;
    const outcome = await dispatcher.dispatch(new PlaceOrder({ orderId: 'o-1', total: 5 }));
    expect(outcome.result).toEqual({ orderId: 'o-1' });
    expect(outcome.events.map((e) => e.eventType)).toEqual(['OrderPlaced']);
    expect(seen).toEqual([outcome.events[0]?.eventId]);
  });

  it('with deliverAfterCommit: false leaves delivery to someone else (an outbox relay)', async () => {
    const { bus } = shop({ deliverAfterCommit: false });
    const seen: string[] = [];
    bus.on(OrderPlaced, (e) => void seen.push(e.orderId));
    const outcome = await bus.dispatch(new PlaceOrder({ orderId: 'o-1', total: 5 }));
    expect(outcome.events).toHaveLength(1);
    expect(seen).toEqual([]);
  });

  it('finishes every handler of event N (and what they dispatch) before event N+1 starts', async () => {
    const { bus, orders } = shop();
    const log: string[] = [];
    // One command, two events: OrderPlaced then OrderShipped.
    bus.registerCommand(
      ShipNow,
      async (cmd, uow: ShopUnitOfWork) => {
        const order = Order.place(cmd.orderId, 1);
        await uow.orders.save(order);
        uow.enlist({ pullEvents: () => [new OrderShipped({ orderId: cmd.orderId })] });
      },
      { uow: () => new ShopUnitOfWork(orders) },
    );
    bus.on(OrderPlaced, async (e) => {
      log.push('placed:a:start');
      await bus.send(new ConfirmOrder({ orderId: e.orderId }));
      log.push('placed:a:end');
    });
    bus.on(OrderPlaced, () => void log.push('placed:b'));
    bus.on(OrderConfirmed, () => void log.push('confirmed'));
    bus.on(OrderShipped, () => void log.push('shipped'));
    await bus.send(new ShipNow({ orderId: 'o-9' }));
    expect(log).toEqual(['placed:a:start', 'confirmed', 'placed:a:end', 'placed:b', 'shipped']);
  });
});

class ShipNow extends Command()('ShipNow', { orderId: z.string() }) {}

describe('MessageBus: handler failures (inventory §10.3 #12: never swallowed silently)', () => {
  it("'log' (default): the failure is logged with handler and event, and the other handlers still run", async () => {
    const { bus, logger } = shop();
    const seen: string[] = [];
    bus.on(OrderPlaced, boom('mailer down'), { name: 'send-mail' });
    bus.on(OrderPlaced, (e) => void seen.push(e.orderId));
    await expect(bus.send(new PlaceOrder({ orderId: 'o-1', total: 1 }))).resolves.toEqual({
      orderId: 'o-1',
    });
    expect(seen).toEqual(['o-1']);
    const errors = logger.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('send-mail');
    expect(errors[0]?.fields).toMatchObject({
      handler: 'send-mail',
      eventType: 'OrderPlaced',
      attempts: 1,
    });
    expect(errors[0]?.fields.error).toEqual(new Error('mailer down'));
  });

  it("'collect': every handler runs, then EventHandlingError lists every failure with its cause", async () => {
    const { bus } = shop({ errorPolicy: 'collect' });
    const seen: string[] = [];
    bus.on(OrderPlaced, boom('first'), { name: 'h1' });
    bus.on(OrderPlaced, (e) => void seen.push(e.orderId));
    bus.on(OrderPlaced, boom('third'), { name: 'h3' });
    const error = await bus
      .send(new PlaceOrder({ orderId: 'o-1', total: 1 }))
      .catch((e: unknown) => e);
    expect(seen).toEqual(['o-1']);
    expect(isPdError(error, 'EVENT_HANDLING')).toBe(true);
    const failure = error as EventHandlingError;
    expect(
      failure.failures.map((f) => [f.handlerName, (f.error as Error).message, f.attempts]),
    ).toEqual([
      ['h1', 'first', 1],
      ['h3', 'third', 1],
    ]);
    expect((failure.cause as Error).message).toBe('first');
    // The command committed before delivery; the error still carries its outcome.
    expect(failure.outcome?.result).toEqual({ orderId: 'o-1' });
  });

  it('retry(n): runs a failing handler again after the injected back-off, then succeeds', async () => {
    const sleep = recordingSleep();
    const { bus } = shop({ sleep });
    let calls = 0;
    bus.on(
      OrderPlaced,
      () => {
        calls++;
        if (calls < 3) throw new Error(`flaky ${calls}`);
      },
      { errorPolicy: retry(3, { backoffMs: (attempt) => attempt * 10, otherwise: 'collect' }) },
    );
    await bus.send(new PlaceOrder({ orderId: 'o-1', total: 1 }));
    expect(calls).toBe(3);
    expect(sleep.waits).toEqual([10, 20]);
  });

  it('retry() refuses a negative or fractional count with a typed error', () => {
    expect(() => retry(-1)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'retries' }),
    );
    expect(() => retry(1.5)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });

  it('retry(n) exhausted: applies its terminal policy and reports the attempts', async () => {
    const sleep = recordingSleep();
    const { bus } = shop({ sleep, errorPolicy: retry(2, { otherwise: 'collect' }) });
    bus.on(OrderPlaced, boom('always'), { name: 'stubborn' });
    const error = (await bus
      .publish(new OrderPlaced({ orderId: 'o', total: 1 }))
      .catch((e: unknown) => e)) as EventHandlingError;
    expect(error).toBeInstanceOf(EventHandlingError);
    expect(error.failures[0]?.attempts).toBe(3);
    expect(sleep.waits).toEqual([100, 200]);
  });

  it('deadLetter(sink): the record has the event, handler name, error and attempts; others keep running', async () => {
    const sink = new InMemoryDeadLetterSink();
    const { bus } = shop({
      errorPolicy: retry(1, { otherwise: deadLetter(sink) }),
      sleep: recordingSleep(),
    });
    const seen: string[] = [];
    bus.on(OrderPlaced, boom('nope'), { name: 'projector' });
    bus.on(OrderPlaced, (e) => void seen.push(e.orderId));
    const event = new OrderPlaced({ orderId: 'o-1', total: 3 });
    await bus.publish(event);
    expect(seen).toEqual(['o-1']);
    expect(sink.records).toHaveLength(1);
    const record = sink.records[0];
    expect(record).toMatchObject({
      source: 'event-handler',
      handlerName: 'projector',
      attempts: 2,
    });
    expect(record?.source === 'event-handler' && record.event.equals(event)).toBe(true);
    expect(record?.error).toEqual(new Error('nope'));
  });

  it('a dead-letter sink that fails surfaces the failure instead of losing it', async () => {
    const { bus, logger } = shop({
      errorPolicy: deadLetter({
        add: () => {
          throw new Error('sink down');
        },
      }),
    });
    bus.on(OrderPlaced, boom('handler down'));
    await expect(bus.publish(new OrderPlaced({ orderId: 'o', total: 1 }))).rejects.toBeInstanceOf(
      EventHandlingError,
    );
    expect(
      logger.lines.some(
        (l) => l.level === 'error' && (l.fields.sinkError as Error).message === 'sink down',
      ),
    ).toBe(true);
  });

  it('a handler can override the bus policy', async () => {
    const { bus, logger } = shop({ errorPolicy: 'collect' });
    bus.on(OrderPlaced, boom('tolerated'), { errorPolicy: 'log', name: 'best-effort' });
    await expect(bus.publish(new OrderPlaced({ orderId: 'o', total: 1 }))).resolves.toBeUndefined();
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it('a synchronous throw is caught like a rejection', async () => {
    const { bus } = shop({ errorPolicy: 'collect' });
    bus.on(OrderPlaced, () => {
      throw new TypeError('sync');
    });
    const error = (await bus
      .publish(new OrderPlaced({ orderId: 'o', total: 1 }))
      .catch((e: unknown) => e)) as EventHandlingError;
    expect(error.failures[0]?.error).toBeInstanceOf(TypeError);
  });
});

describe('MessageBus: publish, behaviours and tracing', () => {
  it('publish delivers events directly to their handlers, without a unit of work', async () => {
    const { bus } = shop();
    const kinds: unknown[] = [];
    const behavior: PipelineBehavior = {
      handle: async (ctx, next) => {
        kinds.push([ctx.kind, ctx.messageType, ctx.uow]);
        return next();
      },
    };
    bus.on(OrderPlaced, () => undefined, { behaviors: [behavior] });
    await bus.publish([
      new OrderPlaced({ orderId: 'a', total: 1 }),
      new OrderPlaced({ orderId: 'b', total: 2 }),
    ]);
    expect(kinds).toEqual([
      ['event', 'OrderPlaced', undefined],
      ['event', 'OrderPlaced', undefined],
    ]);
  });

  it('bus-wide event behaviours wrap every handler, outside the handler’s own', async () => {
    const order: string[] = [];
    const tag = (name: string): PipelineBehavior => ({
      handle: async (_ctx, next) => {
        order.push(name);
        return next();
      },
    });
    const { bus } = shop({ eventBehaviors: [tag('global')] });
    bus.on(OrderPlaced, () => void order.push('handler'), { behaviors: [tag('own')] });
    await bus.publish(new OrderPlaced({ orderId: 'a', total: 1 }));
    expect(order).toEqual(['global', 'own', 'handler']);
  });

  it('names handlers by option, function name, or type and position', () => {
    const { bus } = shop();
    function audit(): void {}
    bus
      .on(OrderPlaced, audit)
      .on(OrderPlaced, () => undefined)
      .on(OrderPlaced, () => undefined, { name: 'mailer' });
    expect(bus.handlersOf(OrderPlaced)).toEqual(['audit', 'OrderPlaced#2', 'mailer']);
  });

  it('§10.3 #13: command → event → handler → command → event all share one correlation id', async () => {
    const { bus } = shop();
    const confirmed: OrderConfirmed[] = [];
    let placed: OrderPlaced | undefined;
    bus.on(OrderPlaced, async (e) => {
      placed = e;
      await bus.send(new ConfirmOrder({ orderId: e.orderId }));
    });
    bus.on(OrderConfirmed, (e) => void confirmed.push(e));
    const command = new PlaceOrder({ orderId: 'o-1', total: 3 });
    await bus.send(command);
    expect(placed?.correlationId).toBe(command.commandId);
    expect(placed?.causationId).toBe(command.commandId);
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]?.correlationId).toBe(command.commandId);
    // OrderConfirmed was caused by ConfirmOrder, which was caused by OrderPlaced.
    expect(confirmed[0]?.causationId).not.toBe(command.commandId);
    expect(confirmed[0]?.causationId).not.toBeNull();
  });

  it('a command sent from a handler names the event as its cause', async () => {
    const { bus } = shop();
    const causes: (string | null)[] = [];
    bus.commandBus.use({
      handle: async (ctx, next) => {
        if (ctx.messageType === 'ConfirmOrder') causes.push(ctx.causationId);
        return next();
      },
    });
    let eventId: string | undefined;
    bus.on(OrderPlaced, async (e) => {
      eventId = e.eventId;
      await bus.send(new ConfirmOrder({ orderId: e.orderId }));
    });
    await bus.send(new PlaceOrder({ orderId: 'o-1', total: 3 }));
    expect(causes).toEqual([eventId]);
  });

  it('an event published inside a handler without tracing ids joins the chain', async () => {
    const { bus } = shop();
    let shipped: OrderShipped | undefined;
    const root = new OrderPlaced({ orderId: 'o', total: 1 }, { correlationId: 'corr-1' });
    bus.on(OrderPlaced, (e) => bus.publish(new OrderShipped({ orderId: e.orderId })));
    bus.on(OrderShipped, (e) => {
      shipped = e;
    });
    await bus.publish(root);
    expect(shipped?.correlationId).toBe('corr-1');
    expect(shipped?.causationId).toBe(root.eventId);
  });
});

describe('MessageBus: exact-type routing (ADR 0005, inventory §10.3 #14)', () => {
  it('routes by the event type name, not by class hierarchy', async () => {
    class PriorityOrderPlaced extends OrderPlaced {}
    Object.defineProperty(PriorityOrderPlaced, 'typeName', { value: 'PriorityOrderPlaced' });
    const { bus } = shop();
    const parent: string[] = [];
    const child: string[] = [];
    bus.on(OrderPlaced, (e) => void parent.push(e.orderId));
    bus.onType('PriorityOrderPlaced', (e) => void child.push(e.eventType));
    const priority = new PriorityOrderPlaced({ orderId: 'p', total: 1 });
    expect(priority).toBeInstanceOf(OrderPlaced);
    await bus.publish(priority);
    expect(parent).toEqual([]);
    expect(child).toEqual(['PriorityOrderPlaced']);
    // The registry agrees: the type name is the identity on the wire too.
    expect(new EventRegistry().serialize(priority).type).toBe('PriorityOrderPlaced');
  });

  it('events of a type without handlers are ignored', async () => {
    const { bus, logger } = shop({ errorPolicy: 'collect' });
    await expect(bus.publish(new OrderShipped({ orderId: 'o' }))).resolves.toBeUndefined();
    expect(logger.lines.filter((l) => l.level !== 'info')).toEqual([]);
  });

  it('§10.3 #15: a GenericDomainEvent is dispatchable — by type name, and to class handlers as their class', async () => {
    const { bus } = shop({ errorPolicy: 'collect' });
    const typed: unknown[] = [];
    const generic: unknown[] = [];
    bus.on(OrderPlaced, (e) => void typed.push([e instanceof OrderPlaced, e.orderId, e.total]));
    bus.onType('OrderPlaced', (e) => void generic.push(e instanceof GenericDomainEvent));
    bus.onType(
      'LegacyThing',
      (e) => void generic.push([e.eventType, (e as GenericDomainEvent).data]),
    );
    const original = new OrderPlaced({ orderId: 'o-7', total: 70 });
    await bus.publish(
      new GenericDomainEvent('OrderPlaced', original.payload(), { eventId: original.eventId }),
    );
    await bus.publish(new GenericDomainEvent('LegacyThing', { a: 1 }));
    expect(typed).toEqual([[true, 'o-7', 70]]);
    expect(generic).toEqual([true, ['LegacyThing', { a: 1 }]]);
  });

  it('a generic event whose payload its class rejects is a handler failure under the policy', async () => {
    const { bus } = shop({ errorPolicy: 'collect' });
    bus.on(OrderPlaced, () => undefined, { name: 'typed' });
    const error = (await bus
      .publish(new GenericDomainEvent('OrderPlaced', { orderId: 1 }))
      .catch((e: unknown) => e)) as EventHandlingError;
    expect(error.failures.map((f) => [f.handlerName, isPdError(f.error, 'VALIDATION')])).toEqual([
      ['typed', true],
    ]);
  });

  it('rejects classes without a type name and non-function handlers', () => {
    const { bus } = shop();
    expect(() => bus.on(class {} as unknown as typeof OrderPlaced, () => undefined)).toThrow(
      /typeName/,
    );
    expect(() => bus.onType('', () => undefined)).toThrow();
    expect(() => bus.on(OrderPlaced, 'nope' as unknown as () => void)).toThrow(/function/);
  });
});
