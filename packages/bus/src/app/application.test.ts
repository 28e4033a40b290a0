import {
  Application,
  ApplicationStoppedError,
  bootstrap,
  EventRegistry,
  InboundEventGateway,
  InMemoryMessageBroker,
  InMemoryMessageSubscriber,
  InMemoryOutbox,
  MessageBus,
  messageBusPublisher,
  OutboxRelay,
  ShutdownError,
  type Worker,
} from '@pd/bus';
import { Command, InMemoryUnitOfWork, IntegrationEvent } from '@pd/cqrs';
import { InMemoryRepository } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfirmOrder,
  deferred,
  GetOrderTotal,
  type Order,
  OrderPlaced,
  PlaceOrder,
  recordingLogger,
  shopHandlers,
} from '../testSupport/shop.js';

/** Lets pending promise callbacks and I/O run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function part(name: string, log: string[], fail?: 'start' | 'stop'): Worker {
  return {
    name,
    start: async () => {
      if (fail === 'start') throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
    },
    stop: async () => {
      log.push(`stop ${name}`);
      if (fail === 'stop') throw new Error(`${name} cannot stop`);
    },
  };
}

function broker(log: string[]): InMemoryMessageBroker {
  const b = new InMemoryMessageBroker();
  const start = b.start.bind(b);
  const stop = b.stop.bind(b);
  b.start = async () => {
    log.push('start broker');
    await start();
  };
  b.stop = async () => {
    log.push('stop broker');
    await stop();
  };
  return b;
}

function shopBus() {
  const orders = new InMemoryRepository<Order>();
  const h = shopHandlers(orders);
  const bus = new MessageBus({ logger: recordingLogger() })
    .registerCommand(PlaceOrder, h.placeOrder, { uow: h.uow })
    .registerCommand(ConfirmOrder, h.confirmOrder, { uow: h.uow })
    .registerQuery(GetOrderTotal, h.getOrderTotal);
  return { bus, orders };
}

describe('Application lifecycle', () => {
  it('starts gateways, broker, workers in order; shuts down gateways, workers, broker (each group reversed)', async () => {
    const log: string[] = [];
    const logger = recordingLogger();
    const app = await bootstrap({
      gateways: [part('g1', log), part('g2', log)],
      broker: broker(log),
      workers: [part('w1', log), part('w2', log)],
      stores: { eventStore: {} },
      logger,
    });
    expect(app.state).toBe('running');
    expect(logger.lines).toEqual([
      {
        level: 'info',
        message: 'pd: application started',
        fields: {
          gateways: 2,
          broker: 'InMemoryMessageBroker',
          workers: ['w1', 'w2'],
          stores: ['eventStore'],
        },
      },
    ]);
    expect(log).toEqual(['start g1', 'start g2', 'start broker', 'start w1', 'start w2']);
    log.length = 0;
    await app.shutdown();
    expect(app.state).toBe('stopped');
    expect(log).toEqual(['stop g2', 'stop g1', 'stop w2', 'stop w1', 'stop broker']);
  });

  it('start and shutdown are idempotent', async () => {
    const log: string[] = [];
    const app = new Application({ workers: [part('w', log)], logger: recordingLogger() });
    await Promise.all([app.start(), app.start()]);
    await app.start();
    await Promise.all([app.shutdown(), app.shutdown()]);
    await app.shutdown();
    expect(log).toEqual(['start w', 'stop w']);
    await expect(app.start()).rejects.toBeInstanceOf(ApplicationStoppedError);
  });

  it('a component that fails to start stops those already started and rethrows', async () => {
    const log: string[] = [];
    const app = new Application({
      gateways: [part('g', log)],
      broker: broker(log),
      workers: [part('w1', log), part('w2', log, 'start')],
      logger: recordingLogger(),
    });
    await expect(app.start()).rejects.toThrow('w2 cannot start');
    expect(log).toEqual([
      'start g',
      'start broker',
      'start w1',
      'stop w1',
      'stop g',
      'stop broker',
    ]);
    expect(app.state).toBe('stopped');
  });

  it('shutdown stops every component even when some fail, then throws ShutdownError naming them', async () => {
    const log: string[] = [];
    const app = await bootstrap({
      workers: [part('w1', log, 'stop'), part('w2', log)],
      broker: broker(log),
      logger: recordingLogger(),
    });
    const error = await app.shutdown().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShutdownError);
    expect((error as ShutdownError).failures.map((f) => f.component)).toEqual(['worker w1']);
    expect(log.slice(-3)).toEqual(['stop w2', 'stop w1', 'stop broker']);
  });

  it('shutdown drains in-flight dispatches (and what their handlers dispatch), then refuses new ones', async () => {
    const { bus } = shopBus();
    const log: string[] = [];
    const app = await bootstrap({ bus, workers: [part('relay', log)], logger: recordingLogger() });
    const gate = deferred();
    bus.on(OrderPlaced, async (e) => {
      await gate.promise;
      log.push('handler resumed');
      // A dispatch made by an in-flight handler is part of the drain, not new work.
      await app.send(new ConfirmOrder({ orderId: e.orderId }));
      log.push('nested command done');
    });
    const inFlight = app.send(new PlaceOrder({ orderId: 'o-1', total: 3 }));
    await Promise.resolve();
    const stopping = app.shutdown();
    expect(app.state).toBe('stopping');
    await expect(app.send(new PlaceOrder({ orderId: 'o-2', total: 1 }))).rejects.toBeInstanceOf(
      ApplicationStoppedError,
    );
    await expect(app.ask(new GetOrderTotal({ orderId: 'o-1' }))).rejects.toMatchObject({
      code: 'APPLICATION_STOPPED',
    });
    gate.resolve(undefined);
    await stopping;
    expect(await inFlight).toEqual({ orderId: 'o-1' });
    expect(log).toEqual(['start relay', 'handler resumed', 'nested command done', 'stop relay']);
    await expect(app.publish(new OrderPlaced({ orderId: 'x', total: 1 }))).rejects.toBeInstanceOf(
      ApplicationStoppedError,
    );
  });
});

describe('Application composition', () => {
  it('bootstrap creates a bus and a registry when none are given and exposes every part', async () => {
    const eventStore = { kind: 'event store' };
    const relay = new OutboxRelay(new InMemoryOutbox(), async () => undefined, {
      name: 'relay',
      sleep: async () => undefined,
    });
    const app = await bootstrap({ stores: { eventStore }, workers: [relay], start: false });
    expect(app.state).toBe('created');
    expect(app.bus).toBeInstanceOf(MessageBus);
    expect(app.registry).toBeInstanceOf(EventRegistry);
    expect(app.stores.eventStore).toBe(eventStore); // §10.1 #3: the store is kept, not only logged
    expect(app.worker('relay')).toBe(relay);
    expect(app.workers).toEqual([relay]);
    expect(app.broker).toBeUndefined();
    await app.shutdown();
  });

  it('delegates send / ask / dispatch / publish to the bus', async () => {
    const { bus } = shopBus();
    const app = await bootstrap({ bus, logger: recordingLogger() });
    const seen: string[] = [];
    bus.on(OrderPlaced, (e) => void seen.push(e.orderId));
    expect(await app.send(new PlaceOrder({ orderId: 'a', total: 2 }))).toEqual({ orderId: 'a' });
    expect((await app.dispatch(new PlaceOrder({ orderId: 'b', total: 3 }))).events).toHaveLength(1);
    expect(await app.ask(new GetOrderTotal({ orderId: 'b' }))).toBe(3);
    await app.publish(new OrderPlaced({ orderId: 'c', total: 1 }));
    expect(seen).toEqual(['a', 'b', 'c']);
    await app.shutdown();
  });

  it('shutdown first stops the gateways and finishes the delivery in progress, then the workers', async () => {
    class Shipped extends IntegrationEvent('shipping.Shipped', { orderId: z.string() }) {}
    class MarkShipped extends Command()('MarkShipped', { orderId: z.string() }) {}
    const log: string[] = [];
    const gate = deferred();
    const bus = new MessageBus({ logger: recordingLogger() });
    bus.registerCommand(
      MarkShipped,
      async (cmd) => {
        log.push(`handling ${cmd.orderId}`);
        await gate.promise;
        log.push(`handled ${cmd.orderId}`);
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    const subscriber = new InMemoryMessageSubscriber();
    const gateway = new InboundEventGateway(subscriber, bus, { logger: recordingLogger() }).route(
      'shipping',
      Shipped,
      (ie) => new MarkShipped({ orderId: ie.orderId }),
    );
    const app = await bootstrap({ bus, gateways: [gateway], workers: [part('w1', log)] });
    const outcome = subscriber.deliver('shipping', new Shipped({ orderId: 'o-1' }).toJSON());
    await flush();
    const stopping = app.shutdown();
    await flush();
    expect(app.state).toBe('stopping');
    expect(log).toEqual(['start w1', 'handling o-1']); // the delivery holds the shutdown
    gate.resolve(undefined);
    await stopping;
    expect(await outcome).toBe('ack');
    expect(log).toEqual(['start w1', 'handling o-1', 'handled o-1', 'stop w1']);
  });

  it('runs a whole level-3 set-up: outbox relay worker → bus handlers, broker and inbound gateway', async () => {
    const outbox = new InMemoryOutbox();
    const orders = new InMemoryRepository<Order>();
    const h = shopHandlers(orders, outbox);
    const registry = new EventRegistry().registerEvent(OrderPlaced).registerCommand(PlaceOrder);
    const bus = new MessageBus({
      deliverAfterCommit: false,
      errorPolicy: 'collect',
      logger: recordingLogger(),
    });
    bus.registerCommand(PlaceOrder, h.placeOrder, { uow: h.uow });
    const delivered: string[] = [];
    const relayed = deferred();
    bus.on(OrderPlaced, (e) => {
      delivered.push(e.orderId);
      relayed.resolve();
    });
    const subscriber = new InMemoryMessageSubscriber();
    const gateway = new InboundEventGateway(subscriber, bus, { logger: recordingLogger() });
    const relay = new OutboxRelay(outbox, messageBusPublisher(bus, registry), {
      pollIntervalMs: 1,
      logger: recordingLogger(),
    });
    const app = await bootstrap({
      bus,
      registry,
      broker: new InMemoryMessageBroker().connect(subscriber),
      gateways: [gateway],
      workers: [relay],
      logger: recordingLogger(),
    });
    await app.send(new PlaceOrder({ orderId: 'o-1', total: 1 }));
    await relayed.promise;
    await app.shutdown();
    expect(delivered).toEqual(['o-1']);
    expect(outbox.pending()).toEqual([]);
    expect(relay.running).toBe(false);
    expect(subscriber.started).toBe(false);
  });
});
