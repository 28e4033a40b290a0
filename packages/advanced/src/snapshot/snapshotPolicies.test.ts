import {
  AcceptOlderSnapshotPolicy,
  RejectStaleSnapshotPolicy,
  SnapshotThresholdPolicy,
  StaleSnapshotError,
} from '@pd/advanced';
import { isPdError, type ValidationError } from '@pd/ddd';
import type { Snapshot } from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';

const at = (version: number, newEvents: number, lastSnapshotVersion = 0) => ({
  aggregateType: 'Order',
  aggregateId: '1',
  version,
  newEvents,
  lastSnapshotVersion,
});

function snapshot(schemaVersion: number): Snapshot {
  return {
    aggregateType: 'Order',
    aggregateId: '42',
    version: 7,
    state: {},
    schemaVersion,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('SnapshotThresholdPolicy', () => {
  it('defaults to 10 and rejects a negative or fractional threshold with a typed error', () => {
    expect(new SnapshotThresholdPolicy().threshold).toBe(10);
    for (const bad of [-1, 1.5, Number.NaN]) {
      let caught: unknown;
      try {
        new SnapshotThresholdPolicy(bad);
      } catch (error) {
        caught = error;
      }
      expect(isPdError(caught, 'VALIDATION')).toBe(true);
      expect((caught as ValidationError).field).toBe('threshold');
    }
  });

  it('snapshots once N events were appended since the last snapshot', () => {
    const policy = new SnapshotThresholdPolicy(5);
    expect(policy.shouldSnapshot(at(4, 1))).toBe(false);
    expect(policy.shouldSnapshot(at(5, 1))).toBe(true);
    expect(policy.shouldSnapshot(at(9, 1, 5))).toBe(false);
    expect(policy.shouldSnapshot(at(10, 1, 5))).toBe(true);
  });

  it('does not skip a multiple that a multi-event save jumps over: 9 → 11 with N = 10 (fix 10.4 #20)', () => {
    const policy = new SnapshotThresholdPolicy(10);
    // The reference tested 11 % 10 === 0 and never snapshotted this aggregate.
    expect(policy.shouldSnapshot(at(11, 2))).toBe(true);
    // Counting restarts at the snapshot: the next one is due 10 events after version 11.
    expect(policy.shouldSnapshot(at(20, 9, 11))).toBe(false);
    expect(policy.shouldSnapshot(at(21, 1, 11))).toBe(true);
  });

  it('with 0 snapshots on every save that appended events; with 1 on every save', () => {
    expect(new SnapshotThresholdPolicy(0).shouldSnapshot(at(3, 1, 2))).toBe(true);
    expect(new SnapshotThresholdPolicy(0).shouldSnapshot(at(3, 0, 0))).toBe(false);
    const one = new SnapshotThresholdPolicy(1);
    for (let v = 1; v < 6; v += 1) expect(one.shouldSnapshot(at(v, 1, v - 1))).toBe(true);
  });

  it('ignores the aggregate type and id', () => {
    const policy = new SnapshotThresholdPolicy(2);
    expect(policy.shouldSnapshot({ ...at(2, 2), aggregateType: 'A', aggregateId: 'x' })).toBe(
      policy.shouldSnapshot({ ...at(2, 2), aggregateType: 'B', aggregateId: 'y' }),
    );
  });
});

describe('RejectStaleSnapshotPolicy', () => {
  it('uses a snapshot only at the expected schema version; higher and lower fall back to replay', () => {
    const policy = new RejectStaleSnapshotPolicy();
    expect(policy.shouldUseSnapshot(snapshot(2), 2)).toBe(true);
    expect(policy.shouldUseSnapshot(snapshot(1), 2)).toBe(false);
    expect(policy.shouldUseSnapshot(snapshot(3), 2)).toBe(false);
  });

  it("throws StaleSnapshotError with both versions in strict mode ('throw')", () => {
    const policy = new RejectStaleSnapshotPolicy({ onStale: 'throw' });
    expect(policy.shouldUseSnapshot(snapshot(2), 2)).toBe(true);
    let caught: unknown;
    try {
      policy.shouldUseSnapshot(snapshot(1), 2);
    } catch (error) {
      caught = error;
    }
    expect(isPdError(caught, 'STALE_SNAPSHOT')).toBe(true);
    expect(caught).toBeInstanceOf(StaleSnapshotError);
    expect(caught).toMatchObject({
      aggregateType: 'Order',
      aggregateId: '42',
      snapshotSchemaVersion: 1,
      expectedSchemaVersion: 2,
    });
    expect((caught as Error).message).toMatch(/schema version 1, expected 2/);
  });
});

describe('AcceptOlderSnapshotPolicy', () => {
  it('uses older and equal snapshots, never newer ones', () => {
    const policy = new AcceptOlderSnapshotPolicy();
    expect(policy.shouldUseSnapshot(snapshot(1), 2)).toBe(true);
    expect(policy.shouldUseSnapshot(snapshot(2), 2)).toBe(true);
    expect(policy.shouldUseSnapshot(snapshot(3), 2)).toBe(false);
    expect(() =>
      new AcceptOlderSnapshotPolicy({ onStale: 'throw' }).shouldUseSnapshot(snapshot(3), 2),
    ).toThrow(StaleSnapshotError);
  });
});
