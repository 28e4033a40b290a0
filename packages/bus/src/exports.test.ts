import { expect, it } from 'vitest';

// The public surface is deliberate: adding or removing a runtime export must show up here.
it('pins the runtime exports of @pd/bus', async () => {
  const names = Object.keys(await import('@pd/bus')).sort();
  expect(names).toEqual([
    'Application',
    'ApplicationStoppedError',
    'BusError',
    'ConsoleBusLogger',
    'DuplicateSubscriptionError',
    'DuplicateTypeNameError',
    'EventHandlingError',
    'EventRegistry',
    'GenericDomainEvent',
    'InMemoryDeadLetterSink',
    'InMemoryMessageBroker',
    'InMemoryMessageSubscriber',
    'InMemoryOutbox',
    'InboundEventGateway',
    'MessageBus',
    'NotStartedError',
    'OutboxRelay',
    'PollingWorker',
    'ShutdownError',
    'UnknownTopicError',
    'UnknownTypeNameError',
    'bootstrap',
    'deadLetter',
    'exponentialBackoff',
    'messageBusPublisher',
    'retry',
    'timerSleep',
  ]);
});
