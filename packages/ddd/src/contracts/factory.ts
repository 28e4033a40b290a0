/**
 * Creates new domain objects: mints ids and enforces every creation invariant at once, so a
 * half-valid object is never returned.
 */
export interface Factory<T, TArgs extends unknown[] = never[]> {
  create(...args: TArgs): T | Promise<T>;
}

/**
 * Rebuilds domain objects from storage: keeps the persisted ids, may skip creation invariants
 * (the data was valid when written), and leaves no pending events.
 */
export interface ReconstitutionFactory<T, TArgs extends unknown[] = never[]> {
  reconstitute(...args: TArgs): T | Promise<T>;
}

/**
 * Marker base for stateless domain services: domain logic that belongs to no single entity.
 * Subclasses take their collaborators in the constructor. A plain function works just as well.
 */
export abstract class DomainService {}
