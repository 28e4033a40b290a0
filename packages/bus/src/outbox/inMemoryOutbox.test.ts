import { InMemoryOutbox, MessageBus } from '@pd/bus';
import { FixedClock, InMemoryRepository } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import {
  ConfirmOrder,
  FailingCommand,
  type Order,
  OrderPlaced,
  PlaceOrder,
  recordingLogger,
  shopHandlers,
} from '../testSupport/shop.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const ctx = { commandId: 'cmd-1', correlationId: 'corr-1', causationId: 'cmd-1' };

describe('InMemoryOutbox', () => {
  it('is written by the unit of work at commit, with the stamped events; a failed command writes nothing', async () => {
    const outbox = new InMemoryOutbox({ topicFor: (e) => `shop.${e.eventType}` });
    const orders = new InMemoryRepository<Order>();
    const h = shopHandlers(orders, outbox);
    const bus = new MessageBus({ logger: recordingLogger() })
      .registerCommand(PlaceOrder, h.placeOrder, { uow: h.uow })
      .registerCommand(ConfirmOrder, h.confirmOrder, { uow: h.uow })
      .registerCommand(
        FailingCommand,
        () => {
          throw new Error('no');
        },
        { uow: h.uow },
      );
    const command = new PlaceOrder({ orderId: 'o-1', total: 9 });
    const { events } = await bus.dispatch(command);
    await bus.send(new ConfirmOrder({ orderId: 'missing' })).catch(() => undefined);
    await bus.send(new FailingCommand({})).catch(() => undefined);
    const pending = outbox.pending();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      eventId: events[0]?.eventId,
      eventType: 'OrderPlaced',
      topic: 'shop.OrderPlaced',
      commandId: command.commandId,
      attempts: 0,
      lastError: null,
    });
    expect(pending[0]?.event).toEqual(events[0]?.toJSON());
    expect(pending[0]?.event.correlationId).toBe(command.commandId);
  });

  it('a command that fails after the outbox write (a before-commit hook) leaves nothing to relay', async () => {
    const outbox = new InMemoryOutbox();
    const orders = new InMemoryRepository<Order>();
    const h = shopHandlers(orders, outbox);
    const bus = new MessageBus({ logger: recordingLogger() }).registerCommand(
      PlaceOrder,
      async (cmd, uow) => {
        uow.onBeforeCommit(() => {
          throw new Error('the idempotency record could not be written');
        });
        return h.placeOrder(cmd, uow);
      },
      { uow: h.uow },
    );
    await expect(bus.send(new PlaceOrder({ orderId: 'o-1', total: 9 }))).rejects.toThrow(
      'idempotency record',
    );
    expect(outbox.pending()).toEqual([]);
    expect(await outbox.claim(10, T0)).toEqual([]);
    expect(await orders.getById('o-1')).toBeUndefined();
  });

  it('retract removes unclaimed records only; a claimed one stays to be delivered', async () => {
    const outbox = new InMemoryOutbox();
    const claimed = new OrderPlaced({ orderId: 'a', total: 1 });
    const fresh = new OrderPlaced({ orderId: 'b', total: 2 });
    await outbox.write([claimed], ctx);
    await outbox.claim(1, T0);
    await outbox.write([fresh], ctx);
    await outbox.retract([claimed, fresh]);
    expect(outbox.pending().map((r) => r.eventId)).toEqual([claimed.eventId]);
    await outbox.write([fresh], ctx); // a retracted event id may be written again
    expect(outbox.pending()).toHaveLength(2);
  });

  it('does not write the same event id twice', async () => {
    const outbox = new InMemoryOutbox();
    const event = new OrderPlaced({ orderId: 'o', total: 1 });
    await outbox.write([event], ctx);
    await outbox.write([event], ctx);
    expect(outbox.pending()).toHaveLength(1);
  });

  it('claim leases records oldest first: invisible to other claims until the lease expires', async () => {
    const outbox = new InMemoryOutbox({ leaseMs: 1000 });
    const events = [1, 2, 3].map((n) => new OrderPlaced({ orderId: `o-${n}`, total: n }));
    await outbox.write(events, ctx);
    const first = await outbox.claim(2, at(0));
    expect(first.map((r) => r.event.payload.orderId)).toEqual(['o-1', 'o-2']);
    expect(first.map((r) => r.attempts)).toEqual([1, 1]);
    expect((await outbox.claim(10, at(500))).map((r) => r.event.payload.orderId)).toEqual(['o-3']);
    expect(await outbox.claim(10, at(999))).toEqual([]);
    const again = await outbox.claim(10, at(1000));
    expect(again.map((r) => [r.event.payload.orderId, r.attempts])).toEqual([
      ['o-1', 2],
      ['o-2', 2],
    ]);
  });

  it('markSent removes records; markFailed releases them for retryAt, or parks them dead with null', async () => {
    const outbox = new InMemoryOutbox();
    await outbox.write(
      [
        new OrderPlaced({ orderId: 'a', total: 1 }),
        new OrderPlaced({ orderId: 'b', total: 1 }),
        new OrderPlaced({ orderId: 'c', total: 1 }),
      ],
      ctx,
    );
    const [a, b, c] = await outbox.claim(3, at(0));
    await outbox.markSent([a?.id ?? '']);
    await outbox.markFailed(b?.id ?? '', 'broker down', at(5000));
    await outbox.markFailed(c?.id ?? '', 'poison', null);
    expect(await outbox.claim(10, at(4999))).toEqual([]);
    const retried = await outbox.claim(10, at(5000));
    expect(retried.map((r) => [r.id, r.attempts, r.lastError])).toEqual([
      [b?.id, 2, 'broker down'],
    ]);
    expect(outbox.dead().map((r) => [r.id, r.lastError])).toEqual([[c?.id, 'poison']]);
    expect(outbox.pending().map((r) => r.id)).toEqual([b?.id]);
  });

  it('stamps createdAt with its clock and validates its inputs', async () => {
    const outbox = new InMemoryOutbox({ clock: new FixedClock(T0) });
    await outbox.write([new OrderPlaced({ orderId: 'a', total: 1 })], ctx);
    expect(outbox.pending()[0]?.createdAt).toEqual(T0);
    await expect(outbox.claim(0, T0)).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'batchSize',
    });
    expect(() => new InMemoryOutbox({ leaseMs: 0 })).toThrow(
      expect.objectContaining({ field: 'leaseMs' }),
    );
  });
});
