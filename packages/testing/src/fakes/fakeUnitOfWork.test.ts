import { Command, CommandBus } from '@pd/cqrs';
import { DomainError, InMemoryRepository } from '@pd/ddd';
import { FakeUnitOfWork } from '@pd/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TodoList } from '../__fixtures__/bank.js';

class AddItem extends Command()('AddItem', {
  item: z.string(),
  fail: z.boolean().default(false),
}) {}

function setup() {
  const lists = new InMemoryRepository<TodoList>();
  const uows: FakeUnitOfWork[] = [];
  const bus = new CommandBus().register(
    AddItem,
    async (cmd) => {
      const list = new TodoList({ name: 'l' });
      list.add(cmd.item);
      await lists.save(list);
      if (cmd.fail) throw new DomainError('nope');
    },
    {
      uow: () => {
        const uow = new FakeUnitOfWork({ participants: [lists] });
        uows.push(uow);
        return uow;
      },
    },
  );
  return { bus, uows };
}

describe('FakeUnitOfWork', () => {
  it('records the begin context, the commit and the stamped committed events', async () => {
    const { bus, uows } = setup();
    const command = new AddItem({ item: 'milk' });
    await bus.send(command);
    const [uow] = uows;
    expect(uow?.begunWith).toEqual({
      commandId: command.commandId,
      correlationId: command.commandId,
      causationId: command.commandId,
    });
    expect([uow?.commits, uow?.rollbacks, uow?.committed, uow?.rolledBack]).toEqual([
      1,
      0,
      true,
      false,
    ]);
    expect(uow?.committedEvents.map((e) => [e.eventType, e.correlationId])).toEqual([
      ['TodoItemAdded', command.commandId],
    ]);
  });

  it('records one rollback for a failed command, however often rollback is called', async () => {
    const { bus, uows } = setup();
    await expect(bus.send(new AddItem({ item: 'x', fail: true }))).rejects.toThrow('nope');
    const [uow] = uows;
    await uow?.rollback();
    expect([uow?.commits, uow?.rollbacks, uow?.committedEvents]).toEqual([0, 1, []]);
  });

  it('failCommitWith makes the storage commit fail, so the bus rolls back', async () => {
    const uow = new FakeUnitOfWork().failCommitWith(new Error('disk full'));
    await uow.begin();
    await expect(uow.commit()).rejects.toThrow('disk full');
    await uow.rollback();
    expect([uow.commits, uow.rollbacks, uow.status]).toEqual([0, 1, 'rolledBack']);
  });
});
