import { InMemorySagaRepository, SagaState, SagaStatus } from '@pd/advanced/saga';
import { FixedClock } from '@pd/ddd';
import { describe, expect, it } from 'vitest';

const clock = new FixedClock('2026-01-01T00:00:00Z');
const make = (correlationId: string, sagaType = 'T') =>
  SagaState.create({ sagaType, correlationId }, { clock });

describe('InMemorySagaRepository', () => {
  it('saves, bumps the version on the state and reads back equal copies', async () => {
    const repository = new InMemorySagaRepository();
    const state = make('c');
    await repository.save(state);
    expect(state.version).toBe(1);
    await repository.save(state);
    expect(state.version).toBe(2);
    const loaded = await repository.getById(state.id);
    expect(loaded).not.toBe(state);
    expect(loaded?.toJSON()).toEqual(state.toJSON());
    expect(await repository.getById('missing')).toBeUndefined();
  });

  it('honours an explicit expectedVersion', async () => {
    const repository = new InMemorySagaRepository();
    const state = make('c');
    await repository.save(state);
    await expect(repository.save(state, { expectedVersion: 0 })).rejects.toMatchObject({
      code: 'CONCURRENCY',
      expectedVersion: 0,
      actualVersion: 1,
    });
  });

  it('finds by correlation id and saga type together', async () => {
    const repository = new InMemorySagaRepository();
    const a = make('c', 'A');
    const b = make('c', 'B');
    await repository.save(a);
    await repository.save(b);
    expect((await repository.findByCorrelationId('c', 'A'))?.id).toBe(a.id);
    expect((await repository.findByCorrelationId('c', 'B'))?.id).toBe(b.id);
    expect(await repository.findByCorrelationId('other', 'A')).toBeUndefined();
  });

  it('finds stalled, suspended and expired sagas, honouring the limit', async () => {
    const repository = new InMemorySagaRepository();
    const pending = make('pending');
    pending.addPendingCommands([{ commandType: 'X', data: { commandId: '1' } }]);
    const completedButOwing = make('owing');
    completedButOwing.addPendingCommands([{ commandType: 'X', data: { commandId: '2' } }]);
    completedButOwing.complete();
    const compensating = make('compensating');
    compensating.startCompensation('x');
    const sent = make('sent');
    sent.addPendingCommands([{ commandType: 'X', data: { commandId: '3' } }]);
    sent.markDispatched(['3']);
    const expired = make('expired');
    expired.suspend('w', new Date('2026-01-01T00:01:00Z'));
    const forever = make('forever');
    forever.suspend('w', null);
    for (const s of [pending, completedButOwing, compensating, sent, expired, forever])
      await repository.save(s);

    expect((await repository.findStalled()).map((s) => s.correlationId)).toEqual([
      'pending',
      'owing',
      'compensating',
    ]);
    expect(await repository.findStalled(2)).toHaveLength(2);
    expect((await repository.findSuspended()).map((s) => s.correlationId)).toEqual([
      'expired',
      'forever',
    ]);
    expect(await repository.findExpiredSuspended(new Date('2026-01-01T00:00:59Z'))).toEqual([]);
    const due = await repository.findExpiredSuspended(new Date('2026-01-01T00:01:00Z'));
    expect(due.map((s) => [s.correlationId, s.status])).toEqual([
      ['expired', SagaStatus.SUSPENDED],
    ]);
  });
});
