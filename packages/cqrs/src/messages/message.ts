import {
  deepFreeze,
  domainDefaults,
  type IdGenerator,
  type InputOf,
  inputJsonSchema,
  type PropsOf,
  parseOrThrow,
  readMessageJSON,
  type Shape,
  shapeFields,
  stableStringify,
  toJsonValue,
  valuesEqual,
} from '@pd/ddd';
import { z } from 'zod';
import { checkMessageDefinition } from './checkMessageDefinition.js';

/** Phantom slot that carries a message's result type. Never set at run time. */
export const RESULT: unique symbol = Symbol('@pd/cqrs.result');

/** Tracing ids a command carries. */
export interface CommandTracing {
  readonly correlationId: string | null;
  readonly causationId: string | null;
}

/** Optional metadata when constructing a command. */
export interface CommandMetadataInput {
  readonly commandId?: string;
  readonly correlationId?: string | null;
  readonly causationId?: string | null;
}

/** Optional metadata when constructing a query. */
export interface QueryMetadataInput {
  readonly queryId?: string;
}

const commandMeta = z.strictObject({
  commandId: z.string().min(1).optional(),
  correlationId: z.string().min(1).nullable().optional(),
  causationId: z.string().min(1).nullable().optional(),
});
const queryMeta = z.strictObject({ queryId: z.string().min(1).optional() });

/** Names a command or query class reserves. */
export const MESSAGE_RESERVED = [
  'commandId',
  'queryId',
  'correlationId',
  'causationId',
  'commandType',
  'queryType',
  'payload',
  'equals',
  'hashKey',
  'toJSON',
  'withTracing',
] as const;

/**
 * Base class of every command. `TResult` is what its handler returns; it rides on the command in a
 * phantom slot so `bus.send(command)` is typed without a cast.
 */
export abstract class CommandBase<TResult = void> implements CommandTracing {
  /** Set by {@link Command}. */
  static readonly typeName: string;
  declare readonly [RESULT]?: TResult;
  declare readonly commandId: string;
  declare readonly correlationId: string | null;
  declare readonly causationId: string | null;

  /** The explicit type name of this command's class. */
  get commandType(): string {
    return (this.constructor as typeof CommandBase).typeName;
  }

  /** The command's own fields as a fresh plain object. */
  payload(): Record<string, unknown> {
    return shapeFields(this);
  }

  /** A copy with other tracing ids; the command id and payload are kept. */
  withTracing(tracing: Partial<CommandTracing>): this {
    const Ctor = this.constructor as new (payload: unknown, meta: CommandMetadataInput) => this;
    return new Ctor(this.payload(), {
      commandId: this.commandId,
      correlationId:
        tracing.correlationId === undefined ? this.correlationId : tracing.correlationId,
      causationId: tracing.causationId === undefined ? this.causationId : tracing.causationId,
    });
  }

  /** Same type and equal fields, ids included. */
  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof CommandBase) || other.commandType !== this.commandType) return false;
    return (
      other.commandId === this.commandId &&
      other.correlationId === this.correlationId &&
      other.causationId === this.causationId &&
      valuesEqual(this.payload(), other.payload())
    );
  }

  /** A stable key for Maps and Sets. */
  hashKey(): string {
    return `${this.commandType}:${stableStringify(this.toJSON())}`;
  }

  /** `{ type, commandId, correlationId, causationId, payload }` with JSON values. */
  toJSON(): CommandJSON {
    return {
      type: this.commandType,
      commandId: this.commandId,
      correlationId: this.correlationId,
      causationId: this.causationId,
      payload: toJsonValue(this.payload()) as Record<string, unknown>,
    };
  }
}

/** JSON form of a command. */
export interface CommandJSON {
  readonly type: string;
  readonly commandId: string;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly payload: Record<string, unknown>;
}

/** Base class of every query. `TResult` is what its handler returns. */
export abstract class QueryBase<TResult = unknown> {
  /** Set by {@link Query}. */
  static readonly typeName: string;
  declare readonly [RESULT]?: TResult;
  declare readonly queryId: string;

  /** The explicit type name of this query's class. */
  get queryType(): string {
    return (this.constructor as typeof QueryBase).typeName;
  }

  /** The query's own fields as a fresh plain object. */
  payload(): Record<string, unknown> {
    return shapeFields(this);
  }

  /** Same type and equal fields, id included. */
  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof QueryBase) || other.queryType !== this.queryType) return false;
    return other.queryId === this.queryId && valuesEqual(this.payload(), other.payload());
  }

  /** A stable key for Maps and Sets. */
  hashKey(): string {
    return `${this.queryType}:${stableStringify(this.toJSON())}`;
  }

  /** `{ type, queryId, payload }` with JSON values. */
  toJSON(): QueryJSON {
    return {
      type: this.queryType,
      queryId: this.queryId,
      payload: toJsonValue(this.payload()) as Record<string, unknown>,
    };
  }
}

/** JSON form of a query. */
export interface QueryJSON {
  readonly type: string;
  readonly queryId: string;
  readonly payload: Record<string, unknown>;
}

/** Any command. */
export type AnyCommand = CommandBase<unknown>;
/** Any query. */
export type AnyQuery = QueryBase<unknown>;
/** The result type a command or query carries. */
export type ResultOf<TMessage> = TMessage extends { readonly [RESULT]?: infer TResult }
  ? TResult
  : never;

/** Static side of a command class. */
export interface CommandClass<TName extends string, TShape extends Shape, TResult> {
  new (
    payload: InputOf<TShape>,
    metadata?: CommandMetadataInput,
  ): CommandBase<TResult> & Readonly<PropsOf<TShape>>;
  readonly typeName: TName;
  readonly shape: TShape;
  readonly propsSchema: z.ZodObject<TShape>;
  idGenerator: IdGenerator<string> | undefined;
  /** Rebuilds a command from its JSON form ({@link CommandJSON}), validating it. */
  fromJSON<TSelf extends new (payload: never, metadata?: CommandMetadataInput) => object>(
    this: TSelf,
    json: unknown,
  ): InstanceType<TSelf>;
  /** JSON Schema of the payload, for command catalogs. */
  jsonSchema(): Record<string, unknown>;
}

/** Static side of a query class. */
export interface QueryClass<TName extends string, TShape extends Shape, TResult> {
  new (
    payload: InputOf<TShape>,
    metadata?: QueryMetadataInput,
  ): QueryBase<TResult> & Readonly<PropsOf<TShape>>;
  readonly typeName: TName;
  readonly shape: TShape;
  readonly propsSchema: z.ZodObject<TShape>;
  idGenerator: IdGenerator<string> | undefined;
  /** Rebuilds a query from its JSON form ({@link QueryJSON}), validating it. */
  fromJSON<TSelf extends new (payload: never, metadata?: QueryMetadataInput) => object>(
    this: TSelf,
    json: unknown,
  ): InstanceType<TSelf>;
  /** JSON Schema of the payload, for query catalogs. */
  jsonSchema(): Record<string, unknown>;
}

/** Options of {@link Command} and {@link Query}. */
export interface MessageOptions {
  /** Id generator for this type's ids. Default: the domain defaults (UUIDv7). */
  readonly idGenerator?: IdGenerator<string>;
}

/** Any command class (erased). */
export type AnyCommandClass = abstract new (payload: never, metadata?: never) => AnyCommand;
/** Any query class (erased). */
export type AnyQueryClass = abstract new (payload: never, metadata?: never) => AnyQuery;

/**
 * Defines a command class with result type `TResult`. Frozen, unknown fields rejected, `commandId`
 * minted by the injectable generator, optional correlation and causation ids.
 *
 * @example
 * class PlaceOrder extends Command<{ orderId: string }>()('PlaceOrder', { customerId: z.uuid() }) {}
 * const { orderId } = await bus.send(new PlaceOrder({ customerId })); // typed
 */
export function Command<TResult = void>() {
  return <TName extends string, TShape extends Shape>(
    typeName: TName,
    shape: TShape,
    options: MessageOptions = {},
  ): CommandClass<TName, TShape, TResult> => {
    checkMessageDefinition(typeName, shape, MESSAGE_RESERVED, 'message definition');
    const propsSchema = z.strictObject(shape);
    const keys = Object.keys(shape);

    class GeneratedCommand extends CommandBase<TResult> {
      static override readonly typeName = typeName;
      static readonly shape = shape;
      static readonly propsSchema = propsSchema;
      static idGenerator: IdGenerator<string> | undefined = options.idGenerator;

      constructor(payload: unknown, metadata?: CommandMetadataInput) {
        super();
        const props = parseOrThrow(propsSchema, payload ?? {}, typeName) as Record<string, unknown>;
        const meta = metadata === undefined ? {} : parseOrThrow(commandMeta, metadata, typeName);
        for (const key of keys) (this as Record<string, unknown>)[key] = deepFreeze(props[key]);
        const cls = this.constructor as typeof GeneratedCommand;
        Object.assign(this, {
          commandId: meta.commandId ?? (cls.idGenerator ?? domainDefaults().idGenerator).generate(),
          correlationId: meta.correlationId ?? null,
          causationId: meta.causationId ?? null,
        });
        Object.freeze(this);
      }

      static fromJSON(
        this: new (
          p: unknown,
          m?: CommandMetadataInput,
        ) => object,
        json: unknown,
      ): object {
        const { payload, metadata } = readMessageJSON(typeName, json, [
          'commandId',
          'correlationId',
          'causationId',
        ]);
        return new this(payload, metadata);
      }

      static jsonSchema(): Record<string, unknown> {
        return inputJsonSchema(propsSchema);
      }
    }
    return GeneratedCommand as unknown as CommandClass<TName, TShape, TResult>;
  };
}

/**
 * Defines a query class with result type `TResult`. Frozen, unknown fields rejected, `queryId`
 * minted by the injectable generator.
 *
 * @example
 * class GetOrder extends Query<OrderView | undefined>()('GetOrder', { orderId: z.uuid() }) {}
 * const view = await bus.ask(new GetOrder({ orderId })); // OrderView | undefined
 */
export function Query<TResult>() {
  return <TName extends string, TShape extends Shape>(
    typeName: TName,
    shape: TShape,
    options: MessageOptions = {},
  ): QueryClass<TName, TShape, TResult> => {
    checkMessageDefinition(typeName, shape, MESSAGE_RESERVED, 'message definition');
    const propsSchema = z.strictObject(shape);
    const keys = Object.keys(shape);

    class GeneratedQuery extends QueryBase<TResult> {
      static override readonly typeName = typeName;
      static readonly shape = shape;
      static readonly propsSchema = propsSchema;
      static idGenerator: IdGenerator<string> | undefined = options.idGenerator;

      constructor(payload: unknown, metadata?: QueryMetadataInput) {
        super();
        const props = parseOrThrow(propsSchema, payload ?? {}, typeName) as Record<string, unknown>;
        const meta = metadata === undefined ? {} : parseOrThrow(queryMeta, metadata, typeName);
        for (const key of keys) (this as Record<string, unknown>)[key] = deepFreeze(props[key]);
        const cls = this.constructor as typeof GeneratedQuery;
        Object.assign(this, {
          queryId: meta.queryId ?? (cls.idGenerator ?? domainDefaults().idGenerator).generate(),
        });
        Object.freeze(this);
      }

      static fromJSON(
        this: new (
          p: unknown,
          m?: QueryMetadataInput,
        ) => object,
        json: unknown,
      ): object {
        const { payload, metadata } = readMessageJSON(typeName, json, ['queryId']);
        return new this(payload, metadata);
      }

      static jsonSchema(): Record<string, unknown> {
        return inputJsonSchema(propsSchema);
      }
    }
    return GeneratedQuery as unknown as QueryClass<TName, TShape, TResult>;
  };
}
