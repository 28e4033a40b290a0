import { AbstractUnitOfWork, InMemoryUnitOfWork, type UnitOfWorkContext } from '@pd/cqrs';
import { DomainEvent, InMemoryRepository, isPdError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Order, type OrderRepository } from '../testSupport/shop.js';

class Noted extends DomainEvent('Noted', { text: z.string() }) {}

class RecordingUow extends AbstractUnitOfWork {
  readonly log: string[] = [];
  protected override async beginTransaction() {
    this.log.push('begin');
  }
  protected override async writeOutbox() {
    this.log.push('outbox');
  }
  protected override async commitTransaction() {
    this.log.push('commit');
  }
  protected override async rollbackTransaction() {
    this.log.push('rollback');
  }
}

const ctx: UnitOfWorkContext = { commandId: 'cmd', correlationId: 'corr', causationId: 'cause' };

describe('AbstractUnitOfWork', () => {
  it('commits in order: flush, stamp, outbox, before-commit, storage commit, after-commit, completion', async () => {
    const uow = new RecordingUow();
    const pending = [new Noted({ text: 'a' })];
    uow.enlist({
      flush: async (c) => {
        uow.log.push(`flush ${c.commandId}`);
      },
      pullEvents: () => pending.splice(0),
    });
    uow.onBeforeCommit((events) => {
      uow.log.push(`before ${events.length}`);
    });
    uow.onAfterCommit(() => {
      uow.log.push('after');
    });
    uow.onCompletion((outcome) => {
      uow.log.push(`completion ${outcome}`);
    });
    await uow.begin(ctx);
    await uow.commit();
    expect(uow.log).toEqual([
      'begin',
      'flush cmd',
      'outbox',
      'before 1',
      'commit',
      'after',
      'completion committed',
    ]);
    const [event] = uow.collectEvents();
    expect([event?.correlationId, event?.causationId]).toEqual(['corr', 'cause']);
    expect(pending).toHaveLength(0);
  });

  it('rolls back at most once, never after a commit, and runs completion hooks once (LIFO)', async () => {
    const uow = new RecordingUow();
    uow.onCompletion(() => {
      uow.log.push('first hook');
    });
    uow.onCompletion(() => {
      uow.log.push('second hook');
    });
    await uow.begin(ctx);
    await uow.rollback();
    await uow.rollback();
    expect(uow.log).toEqual(['begin', 'rollback', 'second hook', 'first hook']);
    expect(uow.status).toBe('rolledBack');
    const error = await uow.commit().catch((e: unknown) => e);
    expect(isPdError(error, 'UOW_STATE')).toBe(true);

    const committed = new RecordingUow();
    await committed.begin(ctx);
    await committed.commit();
    await committed.rollback();
    expect(committed.log).toEqual(['begin', 'outbox', 'commit']);
  });

  it('discards participants’ buffered events on rollback so they never reach a later unit of work (fix 10.2 #6)', async () => {
    const orders: OrderRepository = new InMemoryRepository<Order>();
    const failed = new InMemoryUnitOfWork();
    failed.enlist(orders);
    await failed.begin(ctx);
    const order = new Order({ name: 'a' });
    order.rename('b');
    await orders.save(order);
    await failed.rollback();

    const next = new InMemoryUnitOfWork();
    next.enlist(orders);
    await next.begin(ctx);
    await next.commit();
    expect(next.collectEvents()).toEqual([]);
  });

  it('refuses to begin twice', async () => {
    const uow = new InMemoryUnitOfWork();
    await uow.begin(ctx);
    await expect(uow.begin(ctx)).rejects.toSatisfy((e: unknown) => isPdError(e, 'UOW_STATE'));
  });
});
