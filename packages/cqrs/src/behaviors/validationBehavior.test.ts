import { Command, CommandBus, InMemoryUnitOfWork, ValidationBehavior } from '@pd/cqrs';
import { DomainError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class Book extends Command<string>()('Book', { room: z.string(), nights: z.number().int() }) {}
class Cancel extends Command()('Cancel', {}) {}

describe('ValidationBehavior', () => {
  it('runs the exact type’s validators in order, sync and async, before the handler', async () => {
    const log: string[] = [];
    const validation = new ValidationBehavior()
      .register(Book, (c) => {
        log.push(`sync ${c.room}`);
      })
      .register(Book, async (c) => {
        log.push(`async ${c.nights}`);
      })
      .register(Cancel, () => {
        log.push('cancel');
      });
    const bus = new CommandBus().use(validation).register(
      Book,
      (c) => {
        log.push('handler');
        return c.room;
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    await expect(bus.send(new Book({ room: '12', nights: 2 }))).resolves.toBe('12');
    expect(log).toEqual(['sync 12', 'async 2', 'handler']);
  });

  it('stops at the first validator that throws: later validators and the handler do not run', async () => {
    const log: string[] = [];
    const tooLong = new DomainError('stay too long', { code: 'STAY_TOO_LONG' });
    const validation = new ValidationBehavior()
      .register(Book, async (c) => {
        log.push('first');
        if (c.nights > 14) throw tooLong;
      })
      .register(Book, () => {
        log.push('second');
      });
    const bus = new CommandBus().use(validation).register(
      Book,
      () => {
        log.push('handler');
        return 'x';
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    const error = await bus.send(new Book({ room: '1', nights: 30 })).catch((e: unknown) => e);
    expect((error as { cause?: unknown }).cause).toBe(tooLong);
    expect(log).toEqual(['first']);
  });

  it('lets types without validators through', async () => {
    const bus = new CommandBus()
      .use(
        new ValidationBehavior().register(Book, () => {
          throw new Error('never');
        }),
      )
      .register(Cancel, () => undefined, { uow: () => new InMemoryUnitOfWork() });
    await expect(bus.send(new Cancel({}))).resolves.toBeUndefined();
  });
});
