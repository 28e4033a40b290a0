import { FixedClock } from '@pd/ddd';
import { InMemoryEventStore } from '@pd/eventsourcing';
import { eventStoreContract, FakeEventStore, registerContract, runContract } from '@pd/testing';
import { describe, expect, it } from 'vitest';
import { IdBurningEventStore, VersionBlindEventStore } from './__fixtures__/brokenStores.js';

registerContract(
  eventStoreContract(() => new InMemoryEventStore()),
  { describe, it },
);
registerContract(
  {
    ...eventStoreContract(() => new FakeEventStore({ clock: new FixedClock('2026-01-01') })),
    name: 'EventStore contract (FakeEventStore)',
  },
  { describe, it },
);

describe('eventStoreContract fails for broken stores', () => {
  it('reports a store that ignores expected versions', async () => {
    const report = await runContract(eventStoreContract(() => new VersionBlindEventStore()));
    const failed = report.failed.map((f) => f.name);
    expect(failed).toEqual(
      expect.arrayContaining([
        "expectedVersion 'no_stream' creates a stream and fails once it exists",
        'an exact expectedVersion that is stale, ahead or 0 on an existing stream is a ConcurrencyError with stream, expected and actual',
        'concurrent appends with the same expected version: exactly one winner per version, nothing lost',
      ]),
    );
    const first = report.failed[0]?.error as Error;
    expect(first.name).toBe('AssertionError');
    expect(first.message).toMatch(/expected an error with code CONCURRENCY/);
  });

  it('reports a store whose failed appends burn their command id', async () => {
    const report = await runContract(eventStoreContract(() => new IdBurningEventStore()));
    expect(report.failed.map((f) => f.name)).toEqual([
      'a failed append does not use up its command id',
    ]);
  });
});
