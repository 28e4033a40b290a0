import { ValidationError } from '../errors/validationError.js';
import { valuesEqual } from '../model/internal.js';

/**
 * A business rule as an object: `isSatisfiedBy(candidate)`, combinable with `and`, `or` and `not`.
 * Specifications are immutable and compare by type and fields.
 *
 * @example
 * class MinTotal extends Specification<Order> {
 *   constructor(readonly min: number) { super() }
 *   isSatisfiedBy(o: Order) { return o.total >= this.min }
 * }
 * new MinTotal(10).and(new IsPlaced()).isSatisfiedBy(order)
 */
export abstract class Specification<T> {
  abstract isSatisfiedBy(candidate: T): boolean;

  /** Satisfied when both are; evaluates `other` only when this one is satisfied. */
  and(other: Specification<T>): AndSpecification<T> {
    return new AndSpecification<T>([this, other]);
  }

  /** Satisfied when either is; evaluates `other` only when this one is not satisfied. */
  or(other: Specification<T>): OrSpecification<T> {
    return new OrSpecification<T>([this, other]);
  }

  /** Satisfied when this one is not. */
  not(): NotSpecification<T> {
    return new NotSpecification<T>(this);
  }

  /**
   * True when every candidate satisfying `other` also satisfies this one. The default is the safe
   * answer `false`; override it where the rule is known (e.g. `GreaterThan(5)` subsumes `GreaterThan(10)`).
   */
  subsumes(_other: Specification<T>): boolean {
    return false;
  }

  /** Same concrete type and equal own fields. */
  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof Specification) || other.constructor !== this.constructor) return false;
    return valuesEqual({ ...this }, { ...other });
  }
}

/** A specification from a predicate, for rules that need no class of their own. */
export class PredicateSpecification<T> extends Specification<T> {
  constructor(
    readonly name: string,
    private readonly predicate: (candidate: T) => boolean,
  ) {
    super();
    Object.freeze(this);
  }

  isSatisfiedBy(candidate: T): boolean {
    return this.predicate(candidate);
  }
}

function checkChildren<T>(
  typeName: string,
  specifications: readonly Specification<T>[],
): readonly Specification<T>[] {
  if (!Array.isArray(specifications) || specifications.length === 0) {
    throw ValidationError.of(typeName, 'specifications', 'needs at least one specification');
  }
  specifications.forEach((spec, i) => {
    if (!(spec instanceof Specification)) {
      throw ValidationError.of(typeName, `specifications.${i}`, 'expected a Specification');
    }
  });
  return Object.freeze([...specifications]);
}

/** All children satisfied; stops at the first that is not. */
export class AndSpecification<T> extends Specification<T> {
  readonly specifications: readonly Specification<T>[];

  constructor(specifications: readonly Specification<T>[]) {
    super();
    this.specifications = checkChildren('AndSpecification', specifications);
    Object.freeze(this);
  }

  isSatisfiedBy(candidate: T): boolean {
    for (const spec of this.specifications) if (!spec.isSatisfiedBy(candidate)) return false;
    return true;
  }

  /** True iff every child subsumes `other`. */
  override subsumes(other: Specification<T>): boolean {
    return this.specifications.every((spec) => spec.subsumes(other));
  }
}

/** Any child satisfied; stops at the first that is. */
export class OrSpecification<T> extends Specification<T> {
  readonly specifications: readonly Specification<T>[];

  constructor(specifications: readonly Specification<T>[]) {
    super();
    this.specifications = checkChildren('OrSpecification', specifications);
    Object.freeze(this);
  }

  isSatisfiedBy(candidate: T): boolean {
    for (const spec of this.specifications) if (spec.isSatisfiedBy(candidate)) return true;
    return false;
  }

  /** True iff any child subsumes `other`. */
  override subsumes(other: Specification<T>): boolean {
    return this.specifications.some((spec) => spec.subsumes(other));
  }
}

/** The negation of its child. Never claims to subsume anything. */
export class NotSpecification<T> extends Specification<T> {
  readonly specification: Specification<T>;

  constructor(specification: Specification<T>) {
    super();
    if (!(specification instanceof Specification)) {
      throw ValidationError.of('NotSpecification', 'specification', 'expected a Specification');
    }
    this.specification = specification;
    Object.freeze(this);
  }

  isSatisfiedBy(candidate: T): boolean {
    return !this.specification.isSatisfiedBy(candidate);
  }
}
