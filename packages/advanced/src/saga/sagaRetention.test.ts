import {
  type FinishedSagaCutoffs,
  InMemorySagaRepository,
  KeepForeverRetentionPolicy,
  MaxAgeRetentionPolicy,
  SagaManager,
  type SagaRepository,
  type SagaRetentionPolicy,
  type SagaState,
  SagaStatus,
} from '@pd/advanced/saga';
import { describe, expect, it } from 'vitest';
import {
  type ChargePayment,
  defaultReactions,
  harness,
  orderPlaced,
  PaymentDeclined,
} from './testSupport/orderFulfilment.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const halfHour = new MaxAgeRetentionPolicy({ maxAgeMs: 30 * MINUTE });

async function statusOf(h: ReturnType<typeof harness>, orderId: string) {
  return (await h.repository.findByCorrelationId(orderId, 'OrderFulfilment'))?.status;
}

describe('MaxAgeRetentionPolicy and KeepForeverRetentionPolicy', () => {
  const now = new Date('2026-01-01T12:00:00Z');

  it('lets a finished saga go once its last change is older than maxAgeMs, with per-status ages', () => {
    const policy = new MaxAgeRetentionPolicy({
      maxAgeMs: HOUR,
      byStatus: { FAILED: null, COMPENSATED: 2 * HOUR },
    });
    expect(policy.removeBefore(SagaStatus.COMPLETED, now)).toEqual(
      new Date('2026-01-01T11:00:00Z'),
    );
    expect(policy.removeBefore(SagaStatus.COMPENSATED, now)).toEqual(
      new Date('2026-01-01T10:00:00Z'),
    );
    expect(policy.removeBefore(SagaStatus.FAILED, now)).toBeNull();
    expect(Object.isFrozen(policy)).toBe(true);
  });

  it('keep-forever keeps every status', () => {
    const policy = new KeepForeverRetentionPolicy();
    for (const status of [SagaStatus.COMPLETED, SagaStatus.FAILED, SagaStatus.COMPENSATED]) {
      expect(policy.removeBefore(status, now)).toBeNull();
    }
  });

  it('rejects nonsensical ages and statuses, naming the field', () => {
    expect(() => new MaxAgeRetentionPolicy({ maxAgeMs: -1 })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', field: 'maxAgeMs' }),
    );
    expect(() => new MaxAgeRetentionPolicy({ maxAgeMs: 1.5 })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
    expect(
      () => new MaxAgeRetentionPolicy({ maxAgeMs: 1, byStatus: { RUNNING: 1 } as never }),
    ).toThrowError(expect.objectContaining({ code: 'VALIDATION', field: 'byStatus.RUNNING' }));
    expect(() => new MaxAgeRetentionPolicy({ maxAgeMs: 1, byStatus: { FAILED: -5 } })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', field: 'byStatus.FAILED' }),
    );
  });
});

describe('SagaManager.pruneFinished', () => {
  it('removes finished sagas older than the policy allows by the injected clock, and nothing else', async () => {
    const h = harness({
      manager: {
        retention: new MaxAgeRetentionPolicy({
          maxAgeMs: 30 * MINUTE,
          byStatus: { COMPENSATED: null },
        }),
      },
      reactions: {
        ChargePayment: (c) => {
          const { orderId } = c as ChargePayment;
          if (orderId === 'running') return []; // no payment event: the saga keeps waiting
          if (orderId === 'declined') return [new PaymentDeclined({ orderId, reason: 'no' })];
          return defaultReactions.ChargePayment?.(c) ?? [];
        },
      },
    });

    await h.manager.handle(orderPlaced('old'));
    await h.manager.handle(orderPlaced('running'));
    await h.manager.handle(orderPlaced('declined'));
    h.clock.advance(HOUR);
    await h.manager.handle(orderPlaced('recent'));
    expect(await statusOf(h, 'old')).toBe(SagaStatus.COMPLETED);
    expect(await statusOf(h, 'running')).toBe(SagaStatus.RUNNING);
    expect(await statusOf(h, 'declined')).toBe(SagaStatus.COMPENSATED);
    expect(await statusOf(h, 'recent')).toBe(SagaStatus.COMPLETED);

    const oldId = (await h.repository.findByCorrelationId('old', 'OrderFulfilment'))?.id;
    const result = await h.manager.pruneFinished();
    expect(result).toEqual({ removed: 1, removedIds: [oldId], skipped: [] });
    expect(await statusOf(h, 'old')).toBeUndefined();
    expect(await statusOf(h, 'running')).toBe(SagaStatus.RUNNING);
    expect(await statusOf(h, 'declined')).toBe(SagaStatus.COMPENSATED);
    expect(await statusOf(h, 'recent')).toBe(SagaStatus.COMPLETED);

    // Exactly maxAge later the recent one is not yet "more than" 30 minutes old.
    h.clock.advance(30 * MINUTE);
    expect((await h.manager.pruneFinished()).removed).toBe(0);
    h.clock.advance(1);
    expect((await h.manager.pruneFinished()).removed).toBe(1);
    expect(await statusOf(h, 'recent')).toBeUndefined();

    h.clock.advance(365 * 24 * HOUR);
    expect((await h.manager.pruneFinished()).removed).toBe(0);
    expect(h.repository.size).toBe(2); // the running and the compensated saga stay
  });

  it('removes at most `limit` per call, so a backlog drains in bounded batches', async () => {
    const h = harness({ manager: { retention: halfHour } });
    for (let i = 0; i < 5; i++) await h.manager.handle(orderPlaced(`order-${i}`));
    h.clock.advance(HOUR);
    const rounds: number[] = [];
    for (let r = 0; r < 4; r++) rounds.push((await h.manager.pruneFinished(2)).removed);
    expect(rounds).toEqual([2, 2, 1, 0]);
    expect(h.repository.size).toBe(0);
  });

  it('skips a saga saved again after it was found (another process), removing the rest', async () => {
    let meddle = true;
    class RacingRepository extends InMemorySagaRepository {
      override async findFinished(cutoffs: FinishedSagaCutoffs, limit?: number) {
        const found = await super.findFinished(cutoffs, limit);
        const first = found[0];
        if (meddle && first !== undefined) {
          meddle = false;
          const other = await this.getById(first.id);
          if (other === undefined) throw new Error('the found saga is missing');
          other.setMetadata({ auditedBy: 'ops' });
          await this.save(other);
        }
        return found;
      }
    }
    const h = harness({ manager: { retention: halfHour } });
    const repository = new RacingRepository();
    const manager = new SagaManager(repository, h.registry, h.bus, {
      commandTypes: h.commandTypes,
      clock: h.clock,
      logger: h.logger,
      retention: halfHour,
    });
    await manager.handle(orderPlaced('a'));
    await manager.handle(orderPlaced('b'));
    h.clock.advance(HOUR);
    const [a, b] = [
      await repository.findByCorrelationId('a', 'OrderFulfilment'),
      await repository.findByCorrelationId('b', 'OrderFulfilment'),
    ];

    const result = await manager.pruneFinished();
    expect(result).toEqual({ removed: 1, removedIds: [b?.id], skipped: [a?.id] });
    const kept = await repository.getById(a?.id ?? '');
    expect(kept?.metadata).toEqual({ auditedBy: 'ops' });
    expect(kept?.version).toBe((a?.version ?? 0) + 1);
  });

  it('never removes a finished saga that still owes a command, until recovery sent it', async () => {
    let shipping = false;
    const h = harness({
      manager: { retention: halfHour },
      reactions: { ShipOrder: () => (shipping ? [] : new Error('carrier offline')) },
    });
    await h.manager.handle(orderPlaced());
    const owing = await h.repository.findByCorrelationId('order-1', 'OrderFulfilment');
    expect(owing?.status).toBe(SagaStatus.COMPLETED);
    expect(owing?.isStalled).toBe(true);
    h.clock.advance(HOUR);
    expect((await h.manager.pruneFinished()).removed).toBe(0);

    shipping = true;
    await h.manager.recoverPendingSagas();
    expect((await h.manager.pruneFinished()).removed).toBe(0); // recovery just changed it
    h.clock.advance(HOUR);
    expect((await h.manager.pruneFinished()).removed).toBe(1);
  });

  it('with keep-forever removes nothing and does not even ask the repository', async () => {
    const h = harness({ manager: { retention: new KeepForeverRetentionPolicy() } });
    await h.manager.handle(orderPlaced());
    h.clock.advance(10 * 365 * 24 * HOUR);
    h.repository.findFinished = () => Promise.reject(new Error('must not be asked'));
    expect(await h.manager.pruneFinished()).toEqual({ removed: 0, removedIds: [], skipped: [] });
    expect(h.repository.size).toBe(1);
  });

  it('re-checks what the repository found: a running saga returned by a sloppy finder stays', async () => {
    const h = harness({
      manager: { retention: halfHour },
      reactions: { ChargePayment: () => [] },
    });
    await h.manager.handle(orderPlaced());
    h.clock.advance(HOUR);
    const running = (await h.repository.findByCorrelationId('order-1', 'OrderFulfilment')) ?? {
      id: '',
    };
    h.repository.findFinished = async () => [running as SagaState];
    const result = await h.manager.pruneFinished();
    expect(result).toEqual({ removed: 0, removedIds: [], skipped: [running.id] });
    expect(await statusOf(h, 'order-1')).toBe(SagaStatus.RUNNING);
    expect(h.logger.lines.map((l) => l.message)).toContain(
      'Saga repository returned sagas not due for removal; left in place',
    );
  });

  it('refuses to run without a retention policy, and rejects a bad limit or a bad policy answer', async () => {
    await expect(harness().manager.pruneFinished()).rejects.toMatchObject({
      code: 'SAGA_CONFIGURATION',
    });
    const h = harness({ manager: { retention: halfHour } });
    await expect(h.manager.pruneFinished(0)).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'limit',
    });
    const broken: SagaRetentionPolicy = { removeBefore: () => new Date('nonsense') };
    const b = harness({ manager: { retention: broken } });
    await expect(b.manager.pruneFinished()).rejects.toMatchObject({
      code: 'SAGA_CONFIGURATION',
    });
  });

  it('fails at construction when given a retention policy and a repository that cannot remove sagas', () => {
    // Written before removal existed: it still type-checks as a SagaRepository.
    class LegacySagaRepository implements SagaRepository {
      async save(): Promise<void> {}
      async getById(): Promise<SagaState | undefined> {
        return undefined;
      }
      async findByCorrelationId(): Promise<SagaState | undefined> {
        return undefined;
      }
      async findStalled(): Promise<SagaState[]> {
        return [];
      }
      async findSuspended(): Promise<SagaState[]> {
        return [];
      }
      async findExpiredSuspended(): Promise<SagaState[]> {
        return [];
      }
    }
    const h = harness();
    const legacy = new LegacySagaRepository();
    const build = (retention?: SagaRetentionPolicy) =>
      new SagaManager(legacy, h.registry, h.bus, {
        commandTypes: h.commandTypes,
        ...(retention === undefined ? {} : { retention }),
      });
    expect(() => build()).not.toThrow();
    expect(() => build(halfHour)).toThrowError(
      expect.objectContaining({
        code: 'SAGA_CONFIGURATION',
        message: expect.stringContaining('LegacySagaRepository cannot remove sagas'),
      }),
    );
  });
});
