/**
 * `@pd/ddd` — level 1 of pd: the tactical DDD building blocks. Value objects, entities, aggregate
 * roots and domain events built from zod shapes; specifications; factory, service and repository
 * contracts; id generation and clocks; the pd error family.
 *
 * @packageDocumentation
 */

export { DomainService, type Factory, type ReconstitutionFactory } from './contracts/factory.js';
export {
  ConcurrencyError,
  IdGenerationError,
  SpecificationError,
} from './errors/concurrencyError.js';
export { DomainError, isPdError, PdError } from './errors/pdError.js';
export { ValidationError, type ValidationIssue } from './errors/validationError.js';
export {
  type DomainDefaults,
  domainDefaults,
  resetDomainDefaults,
  setDomainDefaults,
  withDomainDefaults,
} from './identity/domainDefaults.js';
export { type IdGenerator, Uuid7Generator } from './identity/idGenerator.js';
export {
  AggregateRoot,
  AggregateRootBase,
  type AggregateRootClass,
  type AggregateRootOptions,
  type AnyAggregateRoot,
} from './model/aggregateRoot.js';
export {
  type AnyDomainEvent,
  DomainEvent,
  DomainEventBase,
  type DomainEventClass,
  type DomainEventJSON,
  type DomainEventOptions,
  type EventMetadata,
  type EventMetadataInput,
  type UpcastHook,
} from './model/domainEvent.js';
export {
  defineEntityClass,
  Entity,
  EntityBase,
  type EntityClass,
  type EntityInput,
  type EntityOptions,
  setEntityVersion,
} from './model/entity.js';
export {
  // @internal helpers shared with @pd/cqrs's message classes (not part of the supported API):
  assertNoReserved,
  deepFreeze,
  inputJsonSchema,
  parseOrThrow,
  readMessageJSON,
  type Shape,
  shapeFields,
  stableStringify,
  toJsonValue,
  valuesEqual,
} from './model/internal.js';
export {
  type AnyModelConstructor,
  type AnyValueObject,
  type InputOf,
  type ModelClass,
  type PropsOf,
  Trusted,
  ValueObject,
  ValueObjectBase,
  type ValueObjectClass,
  type ValueObjectMethods,
} from './model/valueObject.js';
export { InMemoryRepository } from './repository/inMemoryRepository.js';
export type { Repository, SaveOptions } from './repository/repository.js';
export {
  AndSpecification,
  NotSpecification,
  OrSpecification,
  PredicateSpecification,
  Specification,
} from './specification/specification.js';
export { type Clock, FixedClock, SystemClock } from './time/clock.js';
