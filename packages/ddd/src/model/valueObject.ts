import { z } from 'zod';
import {
  assertNoReserved,
  assertTypeName,
  deepFreeze,
  inputJsonSchema,
  parseOrThrow,
  pickFields,
  type Shape,
  stableStringify,
  toJsonValue,
  valuesEqual,
} from './internal.js';

/** Names a value object class reserves: a field with one of these names would hide a method. */
export const VALUE_OBJECT_RESERVED = [
  'constructor',
  'equals',
  'hashKey',
  'with',
  'toJSON',
] as const;

/** Wraps props that were already validated, so a model can be built without parsing twice. */
export class Trusted<TProps> {
  constructor(readonly props: TProps) {}
}

/** Static side shared by every model class built from a zod shape. */
export interface ModelClass<TName extends string, TShape extends Shape> {
  /** The explicit, stable type name (class names do not survive minification). */
  readonly typeName: TName;
  /** The zod shape the class was built from. */
  readonly shape: TShape;
  /** A zod object schema over the shape: validates plain props. */
  readonly propsSchema: z.ZodObject<TShape>;
}

/** Instance methods of every value object. */
export interface ValueObjectMethods<TInput> {
  /** True when `other` is a value object of the same type with equal field values. */
  equals(other: unknown): boolean;
  /** A stable string of type and values: equal value objects have equal keys (use it in Maps and Sets). */
  hashKey(): string;
  /** A copy with some fields replaced. The copy is validated like a new instance. */
  with(patch: Partial<TInput>): this;
  /** Plain JSON: dates as ISO strings, nested value objects as their own JSON. */
  toJSON(): Record<string, unknown>;
}

/** Any value object instance. */
export type AnyValueObject = ValueObjectBase & ValueObjectMethods<never>;

/** The fields of a class built from `TShape`: readonly, inferred from the zod schema. */
export type PropsOf<TShape extends Shape> = z.output<z.ZodObject<TShape>>;
/** The construction input of a class built from `TShape`. */
export type InputOf<TShape extends Shape> = z.input<z.ZodObject<TShape>>;

/** The class returned by {@link ValueObject}. */
export interface ValueObjectClass<TName extends string, TShape extends Shape>
  extends ModelClass<TName, TShape> {
  new (
    input: InputOf<TShape>,
  ): ValueObjectBase & Readonly<PropsOf<TShape>> & ValueObjectMethods<InputOf<TShape>>;
  /**
   * A zod schema for using this value object as a field of another model. It accepts an instance
   * or plain props and always yields an instance, so nested value objects survive JSON round trips.
   */
  schema<TSelf extends AnyModelConstructor>(
    this: TSelf,
  ): z.ZodType<InstanceType<TSelf>, InstanceType<TSelf> | ConstructorParameters<TSelf>[0]>;
  /** Rebuilds an instance from its JSON form (validates). */
  fromJSON<TSelf extends AnyModelConstructor>(this: TSelf, json: unknown): InstanceType<TSelf>;
  /** JSON Schema of the construction input, for catalogs. */
  jsonSchema(): Record<string, unknown>;
}

/** A constructor taking one input object: the erased form of every model class. */
export type AnyModelConstructor = new (input: never) => object;

/** Base class of every value object. Build subclasses with {@link ValueObject}. */
// biome-ignore lint/complexity/noStaticOnlyClass: a real base class (instanceof checks, subclassing)
export abstract class ValueObjectBase {
  /** Set by {@link ValueObject}. */
  static readonly typeName: string;
}

const schemaCache = new WeakMap<object, z.ZodType>();

/** Builds (and caches) the nested-field schema of a model class. */
export function modelFieldSchema(
  cls: { readonly propsSchema: z.ZodObject<Shape>; readonly shape: Shape } & (new (
    input: never,
  ) => object),
): z.ZodType {
  const cached = schemaCache.get(cls);
  if (cached) return cached;
  const keys = Object.keys(cls.shape);
  const schema = z
    .preprocess(
      (value) => (value instanceof cls ? pickFields(value, keys) : value),
      cls.propsSchema,
    )
    .transform((props) => new cls(new Trusted(props) as never));
  schemaCache.set(cls, schema);
  return schema;
}

/**
 * Defines a value object class from a zod shape: immutable (deeply frozen), validated at
 * construction, compared by type and value. Add behaviour in a subclass; operations return new
 * instances (`with`).
 *
 * @example
 * class Money extends ValueObject('Money', { amount: z.number().int(), currency: z.string().length(3) }) {
 *   add(other: Money): Money { return this.with({ amount: this.amount + other.amount }) }
 * }
 * new Money({ amount: 5, currency: 'EUR' }).equals(new Money({ amount: 5, currency: 'EUR' })) // true
 */
export function ValueObject<TName extends string, TShape extends Shape>(
  typeName: TName,
  shape: TShape,
): ValueObjectClass<TName, TShape> {
  assertTypeName(typeName);
  assertNoReserved(typeName, shape, VALUE_OBJECT_RESERVED);
  const propsSchema = z.object(shape);
  const keys = Object.keys(shape);

  class GeneratedValueObject extends ValueObjectBase {
    static override readonly typeName = typeName;
    static readonly shape = shape;
    static readonly propsSchema = propsSchema;

    constructor(input: unknown) {
      super();
      const props =
        input instanceof Trusted
          ? (input.props as Record<string, unknown>)
          : parseOrThrow(propsSchema, input, typeName);
      for (const key of keys) {
        (this as Record<string, unknown>)[key] = deepFreeze(props[key]);
      }
      Object.freeze(this);
    }

    static schema(this: typeof GeneratedValueObject): z.ZodType {
      // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass (Money, not the generated base)
      return modelFieldSchema(this as never);
    }

    static fromJSON(this: typeof GeneratedValueObject, json: unknown): GeneratedValueObject {
      return new this(json);
    }

    static jsonSchema(): Record<string, unknown> {
      return inputJsonSchema(propsSchema);
    }

    equals(other: unknown): boolean {
      if (other === this) return true;
      if (!(other instanceof ValueObjectBase)) return false;
      if ((other.constructor as typeof ValueObjectBase).typeName !== typeName) return false;
      return keys.every((k) =>
        valuesEqual((this as Record<string, unknown>)[k], (other as Record<string, unknown>)[k]),
      );
    }

    hashKey(): string {
      return `${typeName}:${stableStringify(this.toJSON())}`;
    }

    with(patch: Record<string, unknown>): this {
      const Ctor = this.constructor as new (input: unknown) => this;
      return new Ctor({ ...pickFields(this, keys), ...patch });
    }

    toJSON(): Record<string, unknown> {
      return toJsonValue(pickFields(this, keys)) as Record<string, unknown>;
    }
  }

  return GeneratedValueObject as unknown as ValueObjectClass<TName, TShape>;
}
