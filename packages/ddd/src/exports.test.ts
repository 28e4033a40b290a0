import { expect, it } from 'vitest';

// The public surface is deliberate: adding or removing a runtime export must show up here.
it('pins the runtime exports of @pd/ddd', async () => {
  const names = Object.keys(await import('@pd/ddd')).sort();
  expect(names).toEqual([
    'AggregateRoot',
    'AggregateRootBase',
    'AndSpecification',
    'ConcurrencyError',
    'DomainError',
    'DomainEvent',
    'DomainEventBase',
    'DomainService',
    'Entity',
    'EntityBase',
    'FixedClock',
    'IdGenerationError',
    'InMemoryRepository',
    'NotSpecification',
    'OrSpecification',
    'PdError',
    'PredicateSpecification',
    'Specification',
    'SpecificationError',
    'SystemClock',
    'Trusted',
    'Uuid7Generator',
    'ValidationError',
    'ValueObject',
    'ValueObjectBase',
    'deepFreeze',
    'defineEntityClass',
    'domainDefaults',
    'isPdError',
    'resetDomainDefaults',
    'setDomainDefaults',
    'setEntityVersion',
    'stableStringify',
    'toJsonValue',
    'valuesEqual',
    'withDomainDefaults',
  ]);
});
