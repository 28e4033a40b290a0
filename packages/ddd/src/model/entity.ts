import { z } from 'zod';
import { IdGenerationError } from '../errors/concurrencyError.js';
import { ValidationError } from '../errors/validationError.js';
import { domainDefaults } from '../identity/domainDefaults.js';
import type { IdGenerator } from '../identity/idGenerator.js';
import {
  assertNoReserved,
  assertTypeName,
  deepFreeze,
  parseOrThrow,
  pickFields,
  type Shape,
  toJsonValue,
  valuesEqual,
} from './internal.js';
import {
  type AnyModelConstructor,
  type InputOf,
  type ModelClass,
  type PropsOf,
  Trusted,
} from './valueObject.js';

/** Names an entity class reserves for itself. */
export const ENTITY_RESERVED = [
  'constructor',
  'id',
  'version',
  'set',
  'equals',
  'hashKey',
  'toJSON',
  'pullEvents',
  'record',
] as const;

/** Options of {@link Entity} and `AggregateRoot`. */
export interface EntityOptions<TId> {
  /** Schema of the id. Default: a UUID string. */
  readonly id?: z.ZodType<TId>;
  /** Generator for this class's ids. Default: the domain defaults (UUIDv7). */
  readonly idGenerator?: IdGenerator<TId>;
}

/** Construction input of an entity: its fields, plus an optional id and version. */
export type EntityInput<TId, TShape extends Shape> = InputOf<TShape> & {
  /** When absent, the class's id generator mints one. `null` is rejected. */
  readonly id?: TId;
  /** The persisted version; 0 for a new entity. */
  readonly version?: number;
};

/** Instance methods of every entity. */
export interface EntityMethods {
  /** Plain JSON of id, version and fields. */
  toJSON(): Record<string, unknown>;
}

/** The class returned by {@link Entity}. */
export interface EntityClass<TName extends string, TShape extends Shape, TId>
  extends ModelClass<TName, TShape> {
  new (
    input: EntityInput<TId, TShape>,
  ): EntityBase<TId, InputOf<TShape>> & Readonly<PropsOf<TShape>> & EntityMethods;
  readonly idSchema: z.ZodType<TId>;
  /** The generator used when an instance is built without an id. Override per subclass. */
  idGenerator: IdGenerator<TId> | undefined;
  /** Rebuilds an instance (id and version included) from its JSON form. */
  fromJSON<TSelf extends AnyModelConstructor>(this: TSelf, json: unknown): InstanceType<TSelf>;
  /** A zod schema for nesting this entity inside another model. */
  schema<TSelf extends AnyModelConstructor>(
    this: TSelf,
  ): z.ZodType<InstanceType<TSelf>, InstanceType<TSelf> | ConstructorParameters<TSelf>[0]>;
}

const VERSION = z.number().int().nonnegative();

/**
 * Base class of every entity: identity and version. Entities are equal when they have the same
 * type and id, whatever their other fields. Fields are read-only from outside; the entity's own
 * methods change them with {@link EntityBase.set}, which validates each field. Field values are
 * frozen, so an array, object, `Date`, `Map` or `Set` field is never changed in place.
 */
export abstract class EntityBase<TId = string, TInput = object> {
  /** Set by {@link Entity}. */
  static readonly typeName: string;
  declare readonly id: TId;
  declare readonly version: number;

  /** Replaces some fields, validating each against its schema. Throws {@link ValidationError}. */
  protected set(patch: Partial<TInput>): void {
    const cls = this.constructor as unknown as { shape: Shape; typeName: string };
    const next: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
      const fieldSchema = cls.shape[key] as z.ZodType | undefined;
      if (!fieldSchema) throw ValidationError.of(cls.typeName, key, `unknown field "${key}"`);
      next[key] = deepFreeze(parseOrThrow(fieldSchema, value, cls.typeName, key));
    }
    Object.assign(this, next);
  }

  /** True when `other` is an entity of the same type with an equal id. */
  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof EntityBase)) return false;
    const a = this.constructor as typeof EntityBase;
    const b = other.constructor as typeof EntityBase;
    return a.typeName === b.typeName && valuesEqual(this.id, other.id);
  }

  /** A key for Maps and Sets: type and id. */
  hashKey(): string {
    return `${(this.constructor as typeof EntityBase).typeName}:${String(toJsonValue(this.id))}`;
  }
}

/** Sets the version of an entity. For repositories and stores after a successful save or load. */
export function setEntityVersion(entity: EntityBase<unknown>, version: number): void {
  (entity as { version: number }).version = parseOrThrow(VERSION, version, 'version', 'version');
}

/** @internal Builds the runtime class behind {@link Entity} and `AggregateRoot`. */
export function defineEntityClass<TBase extends abstract new () => EntityBase<unknown>>(
  Base: TBase,
  typeName: string,
  shape: Shape,
  options: EntityOptions<unknown>,
  extraReserved: readonly string[] = [],
): TBase {
  assertTypeName(typeName);
  assertNoReserved(typeName, shape, [...ENTITY_RESERVED, ...extraReserved]);
  const propsSchema = z.object(shape);
  const idSchema: z.ZodType = options.id ?? z.uuid();
  const keys = Object.keys(shape);

  abstract class GeneratedEntity extends (Base as abstract new () => EntityBase<unknown>) {
    static readonly typeName = typeName;
    static readonly shape = shape;
    static readonly propsSchema = propsSchema;
    static readonly idSchema = idSchema;
    static idGenerator: IdGenerator<unknown> | undefined = options.idGenerator;

    constructor(input: unknown) {
      super();
      const cls = this.constructor as typeof GeneratedEntity;
      if (input instanceof Trusted) {
        Object.assign(this, input.props);
        return;
      }
      if (typeof input !== 'object' || input === null) {
        throw ValidationError.of(typeName, '', 'expected an object');
      }
      const raw = input as Record<string, unknown>;
      const id = Object.hasOwn(raw, 'id')
        ? parseOrThrow(idSchema, raw.id, typeName, 'id')
        : generateId(cls, typeName, idSchema);
      const version = Object.hasOwn(raw, 'version')
        ? parseOrThrow(VERSION, raw.version, typeName, 'version')
        : 0;
      const props = parseOrThrow(propsSchema, raw, typeName) as Record<string, unknown>;
      Object.assign(this, { id, version });
      // Field values are frozen (the entity is not: its methods replace fields with `set`), so an
      // array or object field cannot be changed in place, around validation and invariants.
      const self = this as Record<string, unknown>;
      for (const key of keys) if (Object.hasOwn(props, key)) self[key] = deepFreeze(props[key]);
    }

    static fromJSON(this: new (input: unknown) => object, json: unknown): object {
      return new this(json);
    }

    static schema(this: new (input: unknown) => object): z.ZodType {
      // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass the schema is asked of
      return z.any().transform((value) => (value instanceof this ? value : new this(value)));
    }

    toJSON(): Record<string, unknown> {
      return {
        id: toJsonValue(this.id),
        version: this.version,
        ...(toJsonValue(pickFields(this, keys)) as Record<string, unknown>),
      };
    }
  }

  return GeneratedEntity as unknown as TBase;
}

function generateId(
  cls: { idGenerator: IdGenerator<unknown> | undefined },
  typeName: string,
  idSchema: z.ZodType,
): unknown {
  const generator = cls.idGenerator ?? domainDefaults().idGenerator;
  const id = generator.generate();
  const checked = idSchema.safeParse(id);
  if (!checked.success) {
    const generatorName = generator.constructor?.name ?? 'IdGenerator';
    throw new IdGenerationError(
      `${generatorName} produced ${typeof id} ${JSON.stringify(toJsonValue(id))}, which is not a valid id for ${typeName}: ${checked.error.issues[0]?.message ?? 'invalid'}. Pass an explicit id or set ${typeName}.idGenerator.`,
    );
  }
  return checked.data;
}

/**
 * Defines an entity class from a zod shape: a mutable object with identity. Equal when type and id
 * match. Ids are minted by the class's `idGenerator` (default UUIDv7) when not given.
 *
 * @example
 * class Customer extends Entity('Customer', { name: z.string().min(1) }) {
 *   rename(name: string) { this.set({ name }) }
 * }
 */
export function Entity<TName extends string, TShape extends Shape, TId = string>(
  typeName: TName,
  shape: TShape,
  options: EntityOptions<TId> = {},
): EntityClass<TName, TShape, TId> {
  abstract class PlainEntity extends EntityBase<unknown> {}
  return defineEntityClass(
    PlainEntity,
    typeName,
    shape,
    options as EntityOptions<unknown>,
  ) as unknown as EntityClass<TName, TShape, TId>;
}
