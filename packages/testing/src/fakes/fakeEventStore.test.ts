import { FixedClock } from '@pd/ddd';
import { FakeEventStore } from '@pd/testing';
import { describe, expect, it } from 'vitest';
import { MoneyDeposited } from '../__fixtures__/bank.js';

describe('FakeEventStore', () => {
  it('logs successful appends with their stored records, and failed ones with the error', async () => {
    const store = new FakeEventStore({ clock: new FixedClock('2026-01-01T00:00:00Z') });
    await store.appendToStream('Account-1', [new MoneyDeposited({ amount: 1 })], {
      expectedVersion: 'no_stream',
    });
    await store.appendToStream('Account-2', [new MoneyDeposited({ amount: 2 })], {
      expectedVersion: 'no_stream',
    });
    await store.appendToStream(
      'Account-1',
      [new MoneyDeposited({ amount: 3 }), new MoneyDeposited({ amount: 4 })],
      { expectedVersion: 1, commandId: 'cmd-1' },
    );
    await expect(
      store.appendToStream('Account-1', [new MoneyDeposited({ amount: 5 })], {
        expectedVersion: 1,
      }),
    ).rejects.toMatchObject({ code: 'CONCURRENCY' });
    await store.appendToStream('Empty-1', [], { expectedVersion: 'no_stream' });

    expect(
      store.appends.map((a) => [
        a.streamId,
        a.stored.map((e) => e.payload.amount),
        a.error?.constructor.name,
      ]),
    ).toEqual([
      ['Account-1', [1], undefined],
      ['Account-2', [2], undefined],
      ['Account-1', [3, 4], undefined],
      ['Account-1', [], 'ConcurrencyError'],
      ['Empty-1', [], undefined],
    ]);
    expect(store.appends[2]?.stored.map((e) => [e.streamVersion, e.metadata.commandId])).toEqual([
      [2, 'cmd-1'],
      [3, 'cmd-1'],
    ]);
    expect(store.appended.map((e) => e.globalPosition)).toEqual([1, 2, 3, 4]);
  });
});
