import { Command, CommandBus, InMemoryUnitOfWork, type Logger, LoggingBehavior } from '@pd/cqrs';
import { DomainError, FixedClock } from '@pd/ddd';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

class Ship extends Command<string>()('Ship', { orderId: z.string() }) {}

function memoryLogger() {
  const lines: { level: 'info' | 'error'; message: string; fields: Record<string, unknown> }[] = [];
  const logger: Logger = {
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
  return { logger, lines };
}

describe('LoggingBehavior', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('logs the start and the success with kind, type, ids, payload fields and duration', async () => {
    const { logger, lines } = memoryLogger();
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    const bus = new CommandBus().use(
      new LoggingBehavior({ logger, clock, payload: (m) => ({ orderId: (m as Ship).orderId }) }),
    );
    bus.register(
      Ship,
      (c) => {
        clock.advance(25);
        return c.orderId;
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    const cmd = new Ship({ orderId: 'o1' });
    await expect(bus.send(cmd)).resolves.toBe('o1');
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['info', 'handling command Ship'],
      ['info', 'handled command Ship in 25 ms'],
    ]);
    expect(lines[1]?.fields).toEqual({
      kind: 'command',
      messageType: 'Ship',
      messageId: cmd.commandId,
      correlationId: cmd.commandId,
      causationId: cmd.commandId,
      payload: { orderId: 'o1' },
      durationMs: 25,
    });
  });

  it('logs a failure at error level with the error class and code, then re-throws', async () => {
    const { logger, lines } = memoryLogger();
    const clock = new FixedClock(0);
    const bus = new CommandBus().use(new LoggingBehavior({ logger, clock }));
    bus.register(
      Ship,
      () => {
        clock.advance(7);
        throw new DomainError('nope', { code: 'NOT_PACKED' });
      },
      { uow: () => new InMemoryUnitOfWork() },
    );
    await expect(bus.send(new Ship({ orderId: 'o1' }))).rejects.toThrow(/nope/);
    expect(lines[1]).toMatchObject({
      level: 'error',
      message: 'failed command Ship after 7 ms: DomainError',
      fields: { error: 'DomainError', errorCode: 'NOT_PACKED', durationMs: 7 },
    });
  });

  it('writes to the console when no logger is given', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const bus = new CommandBus().use(new LoggingBehavior());
    bus.register(Ship, (c) => c.orderId, { uow: () => new InMemoryUnitOfWork() });
    await bus.send(new Ship({ orderId: 'o1' }));
    expect(info).toHaveBeenCalledTimes(2);
    expect(info.mock.calls[0]?.[0]).toBe('handling command Ship');
  });
});
