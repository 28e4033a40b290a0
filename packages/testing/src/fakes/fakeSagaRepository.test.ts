import {
  CommandTypeRegistry,
  MaxAgeRetentionPolicy,
  SagaManager,
  SagaRegistry,
  SagaState,
} from '@pd/advanced/saga';
import { CommandBus } from '@pd/cqrs';
import { FixedClock } from '@pd/ddd';
import { FakeSagaRepository } from '@pd/testing';
import { describe, expect, it } from 'vitest';

describe('FakeSagaRepository removal', () => {
  it('removes finished sagas for a retention policy and records their ids', async () => {
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    const repo = new FakeSagaRepository();
    const done = SagaState.create({ sagaType: 'S', correlationId: 'done' }, { clock });
    done.complete();
    const busy = SagaState.create({ sagaType: 'S', correlationId: 'busy' }, { clock });
    busy.markRunning();
    await repo.save(done);
    await repo.save(busy);

    const manager = new SagaManager(repo, new SagaRegistry(), new CommandBus(), {
      commandTypes: new CommandTypeRegistry(),
      clock,
      retention: new MaxAgeRetentionPolicy({ maxAgeMs: 1_000 }),
    });
    clock.advance(1_001);
    expect((await manager.pruneFinished()).removedIds).toEqual([done.id]);
    expect(repo.removed).toEqual([done.id]);
    expect(await repo.getById(done.id)).toBeUndefined();
    expect(repo.historyOf(done.id)).toHaveLength(1); // what was saved stays in the record
    expect(await repo.getById(busy.id)).toBeDefined();
  });
});
