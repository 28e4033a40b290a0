import {
  Command,
  CommandBus,
  createMessageContext,
  currentMessageContext,
  InMemoryUnitOfWork,
  type MessageContext,
  Query,
  QueryBus,
  runInMessageContext,
} from '@pd/cqrs';
import { describe, expect, it } from 'vitest';

class First extends Command()('First', {}) {}
class Second extends Command()('Second', {}) {}
class Third extends Command()('Third', {}) {}
class WhoAmI extends Query<MessageContext | undefined>()('WhoAmI', {}) {}

describe('ambient message context', () => {
  it('is undefined outside a dispatch', () => {
    expect(currentMessageContext()).toBeUndefined();
  });

  it('carries one correlation id through a 3-deep chain; each cause is the parent command', async () => {
    const bus = new CommandBus();
    const seen: Record<
      string,
      {
        id: string;
        correlationId: string | null;
        causationId: string | null;
        uowCorrelation: string | null;
      }
    > = {};
    const record = (name: string, cmd: First | Second | Third) => {
      const ctx = currentMessageContext();
      seen[name] = {
        id: cmd.commandId,
        correlationId: ctx?.correlationId ?? null,
        causationId: ctx?.causationId ?? null,
        uowCorrelation: ctx?.uow?.context.correlationId ?? null,
      };
    };
    const uow = () => new InMemoryUnitOfWork();
    bus.register(
      First,
      async (cmd) => {
        record('first', cmd);
        await bus.send(new Second({}));
      },
      { uow },
    );
    bus.register(
      Second,
      async (cmd) => {
        record('second', cmd);
        expect(cmd.correlationId).not.toBeNull(); // the handler sees the traced command
        await bus.send(new Third({}));
      },
      { uow },
    );
    bus.register(Third, (cmd) => record('third', cmd), { uow });

    const root = new First({});
    await bus.send(root);
    expect(seen.first).toEqual({
      id: root.commandId,
      correlationId: root.commandId,
      causationId: root.commandId,
      uowCorrelation: root.commandId,
    });
    expect(seen.second?.correlationId).toBe(root.commandId);
    expect(seen.second?.causationId).toBe(root.commandId);
    expect(seen.third?.correlationId).toBe(root.commandId);
    expect(seen.third?.causationId).toBe(seen.second?.id);
    expect(seen.third?.uowCorrelation).toBe(root.commandId);
  });

  it('lets a command keep ids it was given explicitly', async () => {
    const bus = new CommandBus();
    let inner: MessageContext | undefined;
    bus.register(First, () => bus.send(new Second({}, { correlationId: 'mine' })), {
      uow: () => new InMemoryUnitOfWork(),
    });
    bus.register(
      Second,
      () => {
        inner = currentMessageContext();
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    const root = new First({});
    await bus.send(root);
    expect(inner?.correlationId).toBe('mine');
    expect(inner?.causationId).toBe(root.commandId);
  });

  it('is entered by runInMessageContext (used for event handlers): a root event without correlation starts the chain', async () => {
    const bus = new CommandBus();
    let inner: MessageContext | undefined;
    bus.register(
      First,
      () => {
        inner = currentMessageContext();
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    const eventContext = createMessageContext({
      message: {},
      kind: 'event',
      messageType: 'Evt',
      messageId: 'evt-1',
    });
    await runInMessageContext(eventContext, () => bus.send(new First({})));
    expect(inner?.correlationId).toBe('evt-1');
    expect(inner?.causationId).toBe('evt-1');
  });

  it('gives queries asked inside a command the command’s correlation', async () => {
    const queries = new QueryBus().register(WhoAmI, () => currentMessageContext());
    const bus = new CommandBus();
    let answer: MessageContext | undefined;
    bus.register(
      First,
      async () => {
        answer = await queries.ask(new WhoAmI({}));
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    const root = new First({});
    await bus.send(root);
    expect(answer?.kind).toBe('query');
    expect(answer?.correlationId).toBe(root.commandId);
    expect(answer?.causationId).toBe(root.commandId);
  });
});
