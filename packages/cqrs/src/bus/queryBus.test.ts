import {
  HandlerAlreadyRegisteredError,
  type MessageContext,
  NoHandlerRegisteredError,
  Query,
  QueryBus,
} from '@pd/cqrs';
import { DomainError, isPdError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class GetName extends Query<string | undefined>()('GetName', { id: z.string() }) {}
class CountAll extends Query<number>()('CountAll', {}) {}

describe('QueryBus', () => {
  it('answers with the handler result, sync or async', async () => {
    const names = new Map([['1', 'Ada']]);
    const bus = new QueryBus()
      .register(GetName, (q) => names.get(q.id))
      .register(CountAll, async () => names.size);
    await expect(bus.ask(new GetName({ id: '1' }))).resolves.toBe('Ada');
    await expect(bus.ask(new GetName({ id: '2' }))).resolves.toBeUndefined();
    await expect(bus.ask(new CountAll({}))).resolves.toBe(1);
  });

  it('rejects duplicates and unknown query types', async () => {
    const bus = new QueryBus().register(CountAll, () => 0);
    expect(() => bus.register(CountAll, () => 1)).toThrow(HandlerAlreadyRegisteredError);
    const error = await bus.ask(new GetName({ id: '1' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoHandlerRegisteredError);
    expect(isPdError(error, 'NO_HANDLER')).toBe(true);
  });

  it('lets handler errors through unwrapped', async () => {
    const failure = new DomainError('gone');
    const bus = new QueryBus().register(CountAll, () => {
      throw failure;
    });
    await expect(bus.ask(new CountAll({}))).rejects.toBe(failure);
  });

  it('runs behaviours (global outermost) with a query context and no unit of work', async () => {
    const log: string[] = [];
    let context: MessageContext | undefined;
    const bus = new QueryBus({
      behaviors: [
        {
          handle: async (ctx, next) => {
            context = ctx;
            log.push('global');
            return next();
          },
        },
      ],
    });
    bus.register(CountAll, () => 7, {
      behaviors: [
        {
          handle: async (_ctx, next) => {
            log.push('local');
            return ((await next()) as number) + 1;
          },
        },
      ],
    });
    const query = new CountAll({});
    await expect(bus.ask(query)).resolves.toBe(8);
    expect(log).toEqual(['global', 'local']);
    expect(context).toMatchObject({
      kind: 'query',
      messageType: 'CountAll',
      messageId: query.queryId,
      uow: undefined,
    });
    expect([context?.correlationId, context?.causationId]).toEqual([query.queryId, query.queryId]);
  });
});
