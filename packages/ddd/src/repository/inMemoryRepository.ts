import { ConcurrencyError } from '../errors/concurrencyError.js';
import type { AggregateRootBase } from '../model/aggregateRoot.js';
import type { AnyDomainEvent } from '../model/domainEvent.js';
import { setEntityVersion } from '../model/entity.js';
import { toJsonValue } from '../model/internal.js';
import type { Repository, SaveOptions } from './repository.js';

type AnyAggregate = AggregateRootBase<unknown, never, AnyDomainEvent>;

/**
 * A repository held in memory, with the same rules as a real one: optimistic concurrency on
 * `version`, copies in and out (changing a loaded object changes nothing stored until `save`), and
 * pending events collected for the unit of work. Good for tests, prototypes and single-process apps.
 *
 * @example
 * const orders = new InMemoryRepository<Order>();
 * await orders.save(order); // order.version is now 1
 */
export class InMemoryRepository<TAggregate extends AnyAggregate, TId = TAggregate['id']>
  implements Repository<TAggregate, TId>
{
  readonly #items = new Map<string, TAggregate>();
  #events: AnyDomainEvent[] = [];

  constructor(seed: readonly TAggregate[] = []) {
    for (const aggregate of seed) this.#items.set(key(aggregate.id), copy(aggregate));
  }

  async save(aggregate: TAggregate, _options?: SaveOptions): Promise<void> {
    const id = key(aggregate.id);
    const stored = this.#items.get(id);
    const storedVersion = stored?.version ?? 0;
    if (aggregate.version !== storedVersion) {
      throw new ConcurrencyError(id, aggregate.version, storedVersion);
    }
    setEntityVersion(aggregate, storedVersion + 1);
    this.#items.set(id, copy(aggregate));
    this.#events.push(...aggregate.pullEvents());
  }

  async getById(id: TId): Promise<TAggregate | undefined> {
    const stored = this.#items.get(key(id));
    return stored === undefined ? undefined : copy(stored);
  }

  async delete(id: TId): Promise<void> {
    this.#items.delete(key(id));
  }

  pullEvents(): AnyDomainEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  discardEvents(): void {
    this.#events = [];
  }

  /** Every stored aggregate (copies), in insertion order. */
  all(): TAggregate[] {
    return [...this.#items.values()].map(copy);
  }

  /** How many aggregates are stored. */
  get size(): number {
    return this.#items.size;
  }
}

function key(id: unknown): string {
  return typeof id === 'string' ? id : JSON.stringify(toJsonValue(id));
}

function copy<T extends AnyAggregate>(aggregate: T): T {
  const Ctor = aggregate.constructor as new (input: unknown) => T;
  const cls = aggregate.constructor as unknown as { shape: Record<string, unknown> };
  const input: Record<string, unknown> = { id: aggregate.id, version: aggregate.version };
  for (const field of Object.keys(cls.shape))
    input[field] = (aggregate as Record<string, unknown>)[field];
  return new Ctor(input);
}
