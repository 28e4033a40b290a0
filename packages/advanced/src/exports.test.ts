import { expect, it } from 'vitest';

it('exports exactly the public runtime API of the root entry', async () => {
  expect(Object.keys(await import('@pd/advanced')).sort()).toEqual([
    'AcceptOlderSnapshotPolicy',
    'DuplicateSubscriptionIdError',
    'InMemoryDeadLetterStore',
    'RebuildNotSupportedError',
    'RejectStaleSnapshotPolicy',
    'SnapshotThresholdPolicy',
    'StaleSnapshotError',
    'SubscriptionError',
    'SubscriptionHaltedError',
    'SubscriptionRunner',
    'UnknownSubscriptionError',
    'UpcastError',
    'UpcasterRegistrationError',
    'UpcasterRegistry',
    'defineUpcaster',
  ]);
});
