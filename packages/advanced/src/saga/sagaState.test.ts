import {
  SAGA_STATUSES,
  SagaState,
  SagaStatus,
  StepThresholdPruningPolicy,
} from '@pd/advanced/saga';
import { FixedClock, isPdError } from '@pd/ddd';
import { describe, expect, it } from 'vitest';

const clock = () => new FixedClock('2026-03-01T10:00:00Z');
const fresh = (c = clock()) =>
  SagaState.create({ sagaType: 'Order', correlationId: 'corr-1' }, { clock: c });

describe('SagaState', () => {
  it('keeps the seven upper-case status values of the reference', () => {
    expect(SAGA_STATUSES).toEqual([
      'PENDING',
      'RUNNING',
      'SUSPENDED',
      'COMPLETED',
      'FAILED',
      'COMPENSATING',
      'COMPENSATED',
    ]);
  });

  it('starts PENDING at step "init", stamped by the injected clock', () => {
    const c = clock();
    const state = fresh(c);
    expect(state.status).toBe(SagaStatus.PENDING);
    expect(state.currentStep).toBe('init');
    expect(state.version).toBe(0);
    expect(state.maxRetries).toBe(3);
    expect(state.createdAt).toEqual(c.now());
    c.advance(1000);
    state.touch();
    expect(state.updatedAt).toEqual(c.now());
  });

  it('round-trips through JSON, dates and records included', () => {
    const c = clock();
    const state = fresh(c);
    state.markRunning();
    state.recordStep('a', 'E1', { causationId: 'evt-1', metadata: { k: 1 } });
    state.markEventProcessed('evt-1');
    state.pushCompensation({
      commandType: 'Undo',
      data: { type: 'Undo', payload: { x: 1 } },
      description: 'undo a',
    });
    state.addPendingCommands([{ commandType: 'Do', data: { commandId: 'cmd-1' } }]);
    state.suspend('waiting', new Date('2026-03-02T00:00:00Z'));
    state.setData({ orderId: 'o-1' });
    const json = JSON.parse(JSON.stringify(state.toJSON()));
    const back = SagaState.fromJSON(json);
    expect(back.toJSON()).toEqual(state.toJSON());
    expect(back.timeoutAt).toEqual(new Date('2026-03-02T00:00:00Z'));
    expect(back.stepHistory[0]?.occurredAt).toBeInstanceOf(Date);
    expect(back.equals(state)).toBe(true);
  });

  it('rejects malformed stored data with a ValidationError naming the field', () => {
    const json = { ...fresh().toJSON(), processedEventIds: 'not-a-list' };
    expect(() => SagaState.fromJSON(json)).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', field: 'processedEventIds' }),
    );
    expect(() => SagaState.fromJSON({ ...fresh().toJSON(), status: 'running' })).toThrowError(
      /status/,
    );
  });

  it('remembers processed events in order and evicts the oldest beyond the cap', () => {
    const state = SagaState.create(
      { sagaType: 'T', correlationId: 'c' },
      { maxProcessedEvents: 3 },
    );
    for (const id of ['a', 'b', 'c', 'd']) state.markEventProcessed(id);
    expect(state.processedEventIds).toEqual(['b', 'c', 'd']);
    expect(state.isEventProcessed('a')).toBe(false);
    expect(state.isEventProcessed('d')).toBe(true);
  });

  it('trims the step history to maxStepHistory, keeping the newest', () => {
    const state = SagaState.create({ sagaType: 'T', correlationId: 'c' }, { maxStepHistory: 2 });
    for (const step of ['s1', 's2', 's3']) state.recordStep(step, 'E');
    expect(state.stepHistory.map((s) => s.stepName)).toEqual(['s2', 's3']);
    expect(state.currentStep).toBe('s3');
  });

  it('prunes history: null/negative leave alone, 0 clears, n keeps the newest n', () => {
    const state = fresh();
    for (const step of ['s1', 's2', 's3']) state.recordStep(step, 'E');
    for (const id of ['a', 'b', 'c']) state.markEventProcessed(id);
    state.pruneHistory({ keepLastNSteps: -1, keepLastNEvents: null });
    expect(state.stepHistory).toHaveLength(3);
    expect(state.processedEventIds).toHaveLength(3);
    state.pruneHistory({ keepLastNSteps: 1, keepLastNEvents: 2 });
    expect(state.stepHistory.map((s) => s.stepName)).toEqual(['s3']);
    expect(state.processedEventIds).toEqual(['b', 'c']);
    state.pruneHistory({ keepLastNSteps: 0, keepLastNEvents: 0 });
    expect(state.stepHistory).toEqual([]);
    expect(state.processedEventIds).toEqual([]);
  });

  it('pops compensations last in, first out', () => {
    const state = fresh();
    state.pushCompensation({ commandType: 'A', data: {}, description: '' });
    state.pushCompensation({ commandType: 'B', data: {}, description: '' });
    expect(state.popCompensation()?.commandType).toBe('B');
    expect(state.popCompensation()?.commandType).toBe('A');
    expect(state.popCompensation()).toBeUndefined();
  });

  it('complete() clears the compensation stack and the suspension', () => {
    const state = fresh();
    state.pushCompensation({ commandType: 'A', data: {}, description: '' });
    state.suspend('wait', null);
    state.complete();
    expect(state.compensationStack).toEqual([]);
    expect(state.suspendedAt).toBeNull();
    expect(state.isTerminal).toBe(true);
  });

  it('finishes compensation as FAILED when a compensation failed, else COMPENSATED', () => {
    const ok = fresh();
    ok.startCompensation('boom');
    ok.finishCompensation();
    expect(ok.status).toBe(SagaStatus.COMPENSATED);
    const bad = fresh();
    bad.startCompensation('boom');
    bad.recordFailedCompensation({ commandType: 'A', data: {}, error: 'nope' });
    bad.finishCompensation();
    expect(bad.status).toBe(SagaStatus.FAILED);
    expect(bad.error).toBe('boom');
  });

  it('a dispatch-failure suspension remembers and restores the previous status', () => {
    const state = fresh();
    state.markRunning();
    state.suspendForDispatchFailure('Dispatch failed: x');
    expect(state.isDispatchSuspended).toBe(true);
    expect(state.previousStatus).toBe(SagaStatus.RUNNING);
    state.restorePreviousStatus();
    expect(state.status).toBe(SagaStatus.RUNNING);
    expect(state.suspensionReason).toBeNull();
    const completed = fresh();
    completed.complete();
    expect(() => completed.suspendForDispatchFailure('x')).toThrowError(
      expect.objectContaining({ code: 'SAGA_STATE' }),
    );
  });

  it('knows when it is stalled or expired', () => {
    const state = fresh();
    expect(state.isStalled).toBe(false);
    state.addPendingCommands([{ commandType: 'Do', data: { commandId: 'c1' } }]);
    expect(state.isStalled).toBe(true);
    state.markDispatched(['c1']);
    expect(state.isStalled).toBe(false);
    state.removeDispatched();
    expect(state.pendingCommands).toEqual([]);
    state.suspend('w', new Date('2026-03-01T10:00:10Z'));
    expect(state.isExpired(new Date('2026-03-01T10:00:09Z'))).toBe(false);
    expect(state.isExpired(new Date('2026-03-01T10:00:10Z'))).toBe(true);
  });

  it('counts dispatch failures: exhausted once they exceed maxRetries', () => {
    const state = SagaState.create({ sagaType: 'T', correlationId: 'c', maxRetries: 1 });
    state.recordDispatchFailure('a');
    expect(state.retriesExhausted).toBe(false);
    state.recordDispatchFailure('b');
    expect(state.retriesExhausted).toBe(true);
    expect(state.error).toBe('b');
  });

  it('guards illegal transitions with SagaStateError (code SAGA_STATE)', () => {
    const state = fresh();
    state.markRunning();
    expect(() => state.markRunning()).toThrowError(
      expect.objectContaining({ code: 'SAGA_STATE', from: 'RUNNING' }),
    );
    state.complete();
    for (const act of [
      () => state.complete(),
      () => state.fail('x'),
      () => state.startCompensation('x'),
      () => state.suspend('x', null),
      () => state.pushCompensation({ commandType: 'A', data: {}, description: '' }),
    ]) {
      let error: unknown;
      try {
        act();
      } catch (e) {
        error = e;
      }
      expect(isPdError(error, 'SAGA_STATE')).toBe(true);
    }
    expect(state.status).toBe(SagaStatus.COMPLETED);
  });
});

describe('StepThresholdPruningPolicy', () => {
  it('follows the worked example: threshold 5, keep 2 → [step_3, step_4, step_5]', () => {
    const policy = new StepThresholdPruningPolicy({ stepThreshold: 5, keepLastNSteps: 2 });
    const state = SagaState.create(
      { sagaType: 'T', correlationId: 'c' },
      { pruningPolicy: policy },
    );
    state.markRunning();
    for (let i = 0; i < 6; i++) state.recordStep(`step_${i}`, 'E');
    expect(state.stepHistory.map((s) => s.stepName)).toEqual(['step_3', 'step_4', 'step_5']);
  });

  it('never prunes compensating, suspended or terminal sagas', () => {
    const policy = new StepThresholdPruningPolicy({ stepThreshold: 1, keepLastNSteps: 0 });
    const state = SagaState.create({ sagaType: 'T', correlationId: 'c' });
    state.recordStep('a', 'E');
    expect(policy.shouldPrune('T', state)).toBe(true);
    state.suspend('w', null);
    expect(policy.shouldPrune('T', state)).toBe(false);
    state.resume();
    state.startCompensation('x');
    expect(policy.shouldPrune('T', state)).toBe(false);
    state.finishCompensation();
    expect(policy.shouldPrune('T', state)).toBe(false);
  });

  it('threshold 0 prunes whenever there is a step; keepLastNEvents trims processed ids', () => {
    const policy = new StepThresholdPruningPolicy({
      stepThreshold: 0,
      keepLastNSteps: 1,
      keepLastNEvents: 1,
    });
    const state = SagaState.create(
      { sagaType: 'T', correlationId: 'c' },
      { pruningPolicy: policy },
    );
    expect(policy.shouldPrune('T', state)).toBe(false);
    state.markEventProcessed('e1');
    state.markEventProcessed('e2');
    state.recordStep('a', 'E');
    state.recordStep('b', 'E');
    expect(state.stepHistory.map((s) => s.stepName)).toEqual(['b']);
    expect(state.processedEventIds).toEqual(['e2']);
  });

  it('has documented defaults and rejects negative settings', () => {
    const policy = new StepThresholdPruningPolicy();
    expect([policy.stepThreshold, policy.keepLastNSteps, policy.keepLastNEvents]).toEqual([
      50,
      10,
      null,
    ]);
    for (const bad of [{ stepThreshold: -1 }, { keepLastNSteps: -1 }, { keepLastNEvents: -2 }]) {
      expect(() => new StepThresholdPruningPolicy(bad)).toThrowError(
        expect.objectContaining({ code: 'VALIDATION' }),
      );
    }
  });
});
