import { fc, test } from '@fast-check/vitest';
import {
  AndSpecification,
  NotSpecification,
  OrSpecification,
  PredicateSpecification,
  Specification,
  ValidationError,
} from '@pd/ddd';
import { describe, expect, it } from 'vitest';

class GreaterThan extends Specification<number> {
  constructor(readonly limit: number) {
    super();
  }
  isSatisfiedBy(n: number): boolean {
    return n > this.limit;
  }
  /** Anything greater than a higher limit is also greater than this one. */
  override subsumes(other: Specification<number>): boolean {
    return other instanceof GreaterThan && other.limit >= this.limit;
  }
}

class LessThan extends Specification<number> {
  constructor(readonly limit: number) {
    super();
  }
  isSatisfiedBy(n: number): boolean {
    return n < this.limit;
  }
}

/** Records how often it is asked, to prove short-circuiting. */
class Counted extends Specification<number> {
  calls = 0;
  constructor(private readonly answer: boolean) {
    super();
  }
  isSatisfiedBy(): boolean {
    this.calls += 1;
    return this.answer;
  }
}

const always = new PredicateSpecification<number>('always', () => true);
const never = new PredicateSpecification<number>('never', () => false);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('Specification: combinators', () => {
  const even = new PredicateSpecification<number>('even', (n) => n % 2 === 0);
  const big = new GreaterThan(10);

  it('and / or / not evaluate as boolean logic', () => {
    expect(even.and(big).isSatisfiedBy(12)).toBe(true);
    expect(even.and(big).isSatisfiedBy(11)).toBe(false);
    expect(even.and(big).isSatisfiedBy(4)).toBe(false);
    expect(even.or(big).isSatisfiedBy(4)).toBe(true);
    expect(even.or(big).isSatisfiedBy(11)).toBe(true);
    expect(even.or(big).isSatisfiedBy(3)).toBe(false);
    expect(even.not().isSatisfiedBy(3)).toBe(true);
    expect(even.not().isSatisfiedBy(4)).toBe(false);
  });

  it('builds composites of exactly the two operands, without flattening', () => {
    const c = new LessThan(100);
    const nested = even.and(big).and(c);
    expect(nested).toBeInstanceOf(AndSpecification);
    expect(nested.specifications).toHaveLength(2);
    expect(nested.specifications[0]).toBeInstanceOf(AndSpecification);
    expect(nested.specifications[1]).toBe(c);
    expect(even.or(big)).toBeInstanceOf(OrSpecification);
    expect(even.not()).toBeInstanceOf(NotSpecification);
    expect(even.not().specification).toBe(even);
  });

  it('and stops at the first unsatisfied child', () => {
    const no = new Counted(false);
    const later = new Counted(true);
    expect(no.and(later).isSatisfiedBy(1)).toBe(false);
    expect([no.calls, later.calls]).toEqual([1, 0]);
    expect(new AndSpecification([new Counted(true), no, later]).isSatisfiedBy(1)).toBe(false);
    expect(later.calls).toBe(0);
  });

  it('or stops at the first satisfied child', () => {
    const yes = new Counted(true);
    const later = new Counted(false);
    expect(yes.or(later).isSatisfiedBy(1)).toBe(true);
    expect([yes.calls, later.calls]).toEqual([1, 0]);
    const first = new Counted(false);
    expect(new OrSpecification([first, yes, later]).isSatisfiedBy(1)).toBe(true);
    expect([first.calls, later.calls]).toEqual([1, 0]);
  });

  it('evaluates every child when it has to', () => {
    const a = new Counted(true);
    const b = new Counted(true);
    expect(a.and(b).isSatisfiedBy(1)).toBe(true);
    const c = new Counted(false);
    const d = new Counted(false);
    expect(c.or(d).isSatisfiedBy(1)).toBe(false);
    expect([a.calls, b.calls, c.calls, d.calls]).toEqual([1, 1, 1, 1]);
  });
});

describe('Specification: construction rules', () => {
  it.each([
    ['AndSpecification', () => new AndSpecification<number>([])],
    ['OrSpecification', () => new OrSpecification<number>([])],
  ])('%s rejects an empty list with a ValidationError on "specifications"', (typeName, make) => {
    const error = thrown(make);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('specifications');
    expect((error as ValidationError).typeName).toBe(typeName);
  });

  it('rejects children that are not specifications', () => {
    const notASpec: unknown = { isSatisfiedBy: () => true };
    const error = thrown(() => new AndSpecification([always, notASpec as Specification<number>]));
    expect((error as ValidationError).field).toBe('specifications.1');
    expect(() => new OrSpecification([notASpec as Specification<number>])).toThrow(ValidationError);
    const notError = thrown(() => new NotSpecification(notASpec as Specification<number>));
    expect((notError as ValidationError).field).toBe('specification');
  });

  it('accepts a single child', () => {
    expect(new AndSpecification([always]).isSatisfiedBy(0)).toBe(true);
    expect(new OrSpecification([never]).isSatisfiedBy(0)).toBe(false);
  });

  it('freezes composites and copies the child list', () => {
    const children = [always, never];
    const and = new AndSpecification(children);
    children.pop();
    expect(and.specifications).toHaveLength(2);
    expect(Object.isFrozen(and)).toBe(true);
    expect(Object.isFrozen(and.specifications)).toBe(true);
    expect(Object.isFrozen(never.not())).toBe(true);
    expect(Object.isFrozen(always)).toBe(true);
  });
});

describe('Specification: subsumption', () => {
  it('defaults to false, even for itself', () => {
    const lt = new LessThan(5);
    expect(lt.subsumes(lt)).toBe(false);
    expect(always.subsumes(always)).toBe(false);
  });

  it('follows the override (GreaterThan)', () => {
    const gt5 = new GreaterThan(5);
    expect(gt5.subsumes(new GreaterThan(10))).toBe(true);
    expect(gt5.subsumes(new GreaterThan(5))).toBe(true);
    expect(gt5.subsumes(new GreaterThan(4))).toBe(false);
    expect(gt5.subsumes(new LessThan(10))).toBe(false);
  });

  it('And subsumes iff every child does', () => {
    const target = new GreaterThan(10);
    expect(new GreaterThan(5).and(new GreaterThan(3)).subsumes(target)).toBe(true);
    expect(new GreaterThan(5).and(new GreaterThan(20)).subsumes(target)).toBe(false);
    expect(new GreaterThan(5).and(new LessThan(100)).subsumes(target)).toBe(false);
  });

  it('Or subsumes iff any child does', () => {
    const target = new GreaterThan(10);
    expect(new GreaterThan(20).or(new GreaterThan(5)).subsumes(target)).toBe(true);
    expect(new GreaterThan(20).or(new LessThan(5)).subsumes(target)).toBe(false);
  });

  it('Not never subsumes', () => {
    const notGt = new GreaterThan(5).not();
    expect(notGt.subsumes(notGt)).toBe(false);
    expect(notGt.subsumes(new GreaterThan(10))).toBe(false);
    expect(notGt.subsumes(new GreaterThan(5).not())).toBe(false);
  });
});

describe('Specification: equality', () => {
  it('is equal for the same type and fields', () => {
    expect(new GreaterThan(5).equals(new GreaterThan(5))).toBe(true);
    expect(new GreaterThan(5).equals(new GreaterThan(6))).toBe(false);
    expect(new GreaterThan(5).equals(new LessThan(5))).toBe(false);
    expect(new GreaterThan(5).equals({ limit: 5 })).toBe(false);
    expect(new GreaterThan(5).equals(null)).toBe(false);
  });

  it('compares composites structurally', () => {
    const a = new GreaterThan(1).and(new LessThan(9));
    expect(a.equals(new GreaterThan(1).and(new LessThan(9)))).toBe(true);
    expect(a.equals(new GreaterThan(1).and(new LessThan(8)))).toBe(false);
    expect(a.equals(new GreaterThan(1).or(new LessThan(9)))).toBe(false);
    expect(a.equals(new LessThan(9).and(new GreaterThan(1)))).toBe(false);
    expect(new GreaterThan(1).not().equals(new GreaterThan(1).not())).toBe(true);
    expect(new GreaterThan(1).not().equals(new GreaterThan(2).not())).toBe(false);
  });

  it('compares predicate specifications by name and function', () => {
    const isEven = (n: number) => n % 2 === 0;
    expect(
      new PredicateSpecification('even', isEven).equals(new PredicateSpecification('even', isEven)),
    ).toBe(true);
    expect(
      new PredicateSpecification('even', isEven).equals(new PredicateSpecification('odd', isEven)),
    ).toBe(false);
    expect(
      new PredicateSpecification('even', isEven).equals(
        new PredicateSpecification('even', (n: number) => n % 2 === 0),
      ),
    ).toBe(false);
  });
});

describe('PredicateSpecification', () => {
  it('wraps a predicate and keeps its name', () => {
    const adult = new PredicateSpecification<{ age: number }>('adult', (p) => p.age >= 18);
    expect(adult.name).toBe('adult');
    expect(adult.isSatisfiedBy({ age: 18 })).toBe(true);
    expect(adult.isSatisfiedBy({ age: 17 })).toBe(false);
    expect(
      adult.and(new PredicateSpecification('named', () => true)).isSatisfiedBy({ age: 30 }),
    ).toBe(true);
  });
});

describe('Specification: boolean algebra (property tests)', () => {
  const spec = fc
    .tuple(fc.string({ maxLength: 4 }), fc.func(fc.boolean()))
    .map(([name, f]) => new PredicateSpecification<number>(name, (n) => f(n)));
  const candidate = fc.integer();
  const same = (x: Specification<number>, y: Specification<number>, n: number) =>
    x.isSatisfiedBy(n) === y.isSatisfiedBy(n);

  test.prop([spec, candidate])('identity: a ∧ ⊤ = a and a ∨ ⊥ = a', (a, n) => {
    expect(same(a.and(always), a, n)).toBe(true);
    expect(same(a.or(never), a, n)).toBe(true);
  });

  test.prop([spec, candidate])('annihilation: a ∧ ⊥ = ⊥ and a ∨ ⊤ = ⊤', (a, n) => {
    expect(a.and(never).isSatisfiedBy(n)).toBe(false);
    expect(a.or(always).isSatisfiedBy(n)).toBe(true);
  });

  test.prop([spec, candidate])('complement: a ∧ ¬a = ⊥ and a ∨ ¬a = ⊤', (a, n) => {
    expect(a.and(a.not()).isSatisfiedBy(n)).toBe(false);
    expect(a.or(a.not()).isSatisfiedBy(n)).toBe(true);
  });

  test.prop([spec, spec, candidate])('De Morgan', (a, b, n) => {
    expect(same(a.and(b).not(), a.not().or(b.not()), n)).toBe(true);
    expect(same(a.or(b).not(), a.not().and(b.not()), n)).toBe(true);
  });

  test.prop([spec, candidate])('double negation: ¬¬a = a', (a, n) => {
    expect(same(a.not().not(), a, n)).toBe(true);
  });

  test.prop([spec, spec, spec, candidate])(
    'commutativity, associativity and distributivity',
    (a, b, c, n) => {
      expect(same(a.and(b), b.and(a), n)).toBe(true);
      expect(same(a.or(b), b.or(a), n)).toBe(true);
      expect(same(a.and(b).and(c), a.and(b.and(c)), n)).toBe(true);
      expect(same(a.and(b.or(c)), a.and(b).or(a.and(c)), n)).toBe(true);
    },
  );

  const gt = fc.integer({ min: -1_000, max: 1_000 }).map((limit) => new GreaterThan(limit));

  test.prop([gt, gt, gt])('subsumption is transitive (GreaterThan)', (x, y, z) => {
    fc.pre(x.subsumes(y) && y.subsumes(z));
    expect(x.subsumes(z)).toBe(true);
  });

  test.prop([gt, gt, fc.integer({ min: -2_000, max: 2_000 })])(
    'subsumption is sound: whatever satisfies the subsumed spec satisfies the subsuming one',
    (x, y, n) => {
      fc.pre(x.subsumes(y) && y.isSatisfiedBy(n));
      expect(x.isSatisfiedBy(n)).toBe(true);
    },
  );

  test.prop([gt, gt, gt])('And / Or subsumption agrees with their children', (x, y, target) => {
    expect(x.and(y).subsumes(target)).toBe(x.subsumes(target) && y.subsumes(target));
    expect(x.or(y).subsumes(target)).toBe(x.subsumes(target) || y.subsumes(target));
  });
});
