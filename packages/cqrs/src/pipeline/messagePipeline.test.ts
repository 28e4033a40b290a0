import {
  createMessageContext,
  type MessageContext,
  MessagePipeline,
  type NextHandler,
  type PipelineBehavior,
} from '@pd/cqrs';
import { describe, expect, it } from 'vitest';

const context = (): MessageContext =>
  createMessageContext({ message: { n: 1 }, kind: 'query', messageType: 'T', messageId: 'm1' });

const tracing = (name: string, log: string[]): PipelineBehavior => ({
  async handle(_ctx: MessageContext, next: NextHandler) {
    log.push(`${name}:before`);
    const result = await next();
    log.push(`${name}:after`);
    return result;
  },
});

describe('MessagePipeline', () => {
  it('runs behaviours in onion order, first = outermost, and returns the handler result', async () => {
    const log: string[] = [];
    const pipeline = new MessagePipeline(() => {
      log.push('handler');
      return 42;
    }, [tracing('a', log), tracing('b', log)]);
    await expect(pipeline.execute(context())).resolves.toBe(42);
    expect(log).toEqual(['a:before', 'b:before', 'handler', 'b:after', 'a:after']);
  });

  it('lets a behaviour short-circuit: its value is the result, the handler does not run', async () => {
    let called = false;
    const pipeline = new MessagePipeline(() => {
      called = true;
    }, [{ handle: async () => 'cached' }]);
    await expect(pipeline.execute(context())).resolves.toBe('cached');
    expect(called).toBe(false);
  });

  it('propagates errors from sync handlers, async handlers and behaviours', async () => {
    const boom = new Error('boom');
    await expect(
      new MessagePipeline(() => {
        throw boom;
      }).execute(context()),
    ).rejects.toBe(boom);
    await expect(
      new MessagePipeline(async () => {
        throw boom;
      }).execute(context()),
    ).rejects.toBe(boom);
    await expect(
      new MessagePipeline(
        () => 1,
        [
          {
            handle: async () => {
              throw boom;
            },
          },
        ],
      ).execute(context()),
    ).rejects.toBe(boom);
  });

  it('is reusable: the order holds on every run, and runs share nothing but the behaviours', async () => {
    const log: string[] = [];
    const pipeline = new MessagePipeline(
      (ctx) => (ctx.message as { n: number }).n,
      [tracing('a', log)],
    );
    for (let i = 0; i < 3; i++) await pipeline.execute(context());
    expect(log).toEqual(['a:before', 'a:after', 'a:before', 'a:after', 'a:before', 'a:after']);
    expect(pipeline.behaviors).toHaveLength(1);
  });

  it('shares one metadata map between behaviours and the handler of a dispatch', async () => {
    const writer: PipelineBehavior = {
      handle: async (ctx, next) => {
        ctx.metadata.set('tenant', 't1');
        return next();
      },
    };
    const pipeline = new MessagePipeline((ctx) => ctx.metadata.get('tenant'), [writer]);
    await expect(pipeline.execute(context())).resolves.toBe('t1');
    expect(context().metadata.size).toBe(0);
  });
});
