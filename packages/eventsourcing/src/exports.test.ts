import { expect, it } from 'vitest';

it('exports exactly the public runtime API', async () => {
  expect(Object.keys(await import('@pd/eventsourcing')).sort()).toEqual([
    'DuplicateCommandError',
    'EventSerializer',
    'EventSourcedAggregateRoot',
    'EventSourcedAggregateRootBase',
    'EventSourcedProjection',
    'EventSourcedProjectionBase',
    'EventSourcedRepository',
    'EventTypeMap',
    'ExpectedVersion',
    'InMemoryCheckpointStore',
    'InMemoryEventStore',
    'InMemorySnapshotStore',
    'StateChangeOutsideEventError',
    'StreamDeletedError',
    'StreamNotFoundError',
    'UnknownEventTypeError',
    'aggregateIdKey',
    'checkExpectedVersion',
    'streamCategoryOf',
  ]);
});
