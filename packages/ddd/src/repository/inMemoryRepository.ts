import { ConcurrencyError } from '../errors/concurrencyError.js';
import type { AggregateRootBase } from '../model/aggregateRoot.js';
import type { AnyDomainEvent } from '../model/domainEvent.js';
import { setEntityVersion } from '../model/entity.js';
import { toJsonValue } from '../model/internal.js';
import type { Repository, SaveOptions } from './repository.js';

type AnyAggregate = AggregateRootBase<unknown, never, AnyDomainEvent>;

/** A change a unit-of-work view holds until it flushes. */
interface Staged<TAggregate> {
  readonly id: unknown;
  /** The stored version the change was made against (0: not stored). */
  readonly base: number;
  /** The new state, or `undefined` for a delete. */
  readonly aggregate: TAggregate | undefined;
  readonly options: SaveOptions | undefined;
  /** The events the view's saves of this aggregate collected, for {@link InMemoryRepository.persisted}. */
  readonly events: readonly AnyDomainEvent[];
}

/** A change a view's flush applied: what it replaced, so a rollback can put it back. */
interface Flushed<TAggregate> extends Staged<TAggregate> {
  readonly key: string;
  readonly previous: TAggregate | undefined;
}

/** The state of one unit of work's view (see {@link InMemoryRepository.forUnitOfWork}). */
interface ViewState<TAggregate> {
  readonly root: InMemoryRepository<AnyAggregate, unknown>;
  readonly staged: Map<string, Staged<TAggregate>>;
  events: AnyDomainEvent[];
  /** Applied by `flush`, not yet confirmed by `afterCommit` (or undone by a rollback). */
  flushed: Flushed<TAggregate>[];
}

const views = new WeakMap<object, ViewState<AnyAggregate>>();

/** The view state of `repository`, or undefined when it is the shared repository itself. */
function viewOf<TAggregate>(repository: object): ViewState<TAggregate> | undefined {
  return views.get(repository) as ViewState<TAggregate> | undefined;
}

/**
 * A repository held in memory, with the same rules as a real one: optimistic concurrency on
 * `version`, copies in and out (changing a loaded object changes nothing stored until `save`), and
 * pending events collected for the unit of work. Good for tests, prototypes and single-process apps.
 *
 * Used on its own, `save` and `delete` apply at once. A unit of work that tracks it (`@pd/cqrs`'s
 * `track`) works on its own view instead ({@link forUnitOfWork}): that command's saves and deletes
 * are staged, its events are its own, and both reach the shared store only when the unit of work
 * commits. So concurrent commands never see each other's events or uncommitted state, and a
 * command that fails leaves the store as it was.
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

  /**
   * A view for one unit of work: reads see the shared store plus this view's own changes; saves
   * and deletes are staged (the version check runs at once, against what the view sees) and
   * applied by {@link flush}, which checks every version again against the shared store and writes
   * all or nothing. The view is an instance of this class (subclass overrides apply); a subclass
   * that keeps its own state should keep it on {@link root}.
   */
  forUnitOfWork(): this {
    const view = Object.create(this.root) as this;
    views.set(view, { root: this.root, staged: new Map(), events: [], flushed: [] });
    return view;
  }

  /** The version in the shared store under `k` (0: none). Call it on `root`: views lack the brand. */
  #storedVersion(k: string): number {
    return this.#items.get(k)?.version ?? 0;
  }

  /** The shared repository behind a unit-of-work view (itself when it is not a view). */
  protected get root(): this {
    return (viewOf(this)?.root ?? this) as this;
  }

  async save(aggregate: TAggregate, options?: SaveOptions): Promise<void> {
    const id = key(aggregate.id);
    const view = viewOf<TAggregate>(this);
    const staged = view?.staged.get(id);
    const current = staged === undefined ? this.root.#items.get(id) : staged.aggregate;
    const currentVersion = current?.version ?? 0;
    if (aggregate.version !== currentVersion) {
      throw new ConcurrencyError(id, aggregate.version, currentVersion);
    }
    setEntityVersion(aggregate, currentVersion + 1);
    const events = aggregate.pullEvents();
    if (view === undefined) {
      this.#items.set(id, copy(aggregate));
      this.#events.push(...events);
      this.persisted(aggregate, options, events);
      return;
    }
    const base = staged?.base ?? this.root.#storedVersion(id);
    view.staged.set(id, {
      id: aggregate.id,
      base,
      aggregate: copy(aggregate),
      options,
      events: [...(staged?.events ?? []), ...events],
    });
    view.events.push(...events);
  }

  async getById(id: TId): Promise<TAggregate | undefined> {
    const k = key(id);
    const staged = viewOf<TAggregate>(this)?.staged.get(k);
    const found = staged === undefined ? this.root.#items.get(k) : staged.aggregate;
    return found === undefined ? undefined : copy(found);
  }

  async delete(id: TId): Promise<void> {
    const k = key(id);
    const view = viewOf<TAggregate>(this);
    if (view === undefined) {
      if (this.#items.delete(k)) this.deleted(id);
      return;
    }
    const base = view.staged.get(k)?.base ?? this.root.#storedVersion(k);
    view.staged.set(k, { id, base, aggregate: undefined, options: undefined, events: [] });
  }

  /**
   * Applies a view's staged changes to the shared store, all or nothing: a `ConcurrencyError`
   * when any aggregate changed in the store since the view read it. If the unit of work then rolls
   * back, {@link discardEvents} puts the previous state back. Nothing to do outside a view.
   */
  async flush(): Promise<void> {
    const view = viewOf<TAggregate>(this);
    if (view === undefined || view.staged.size === 0) return;
    const items = this.root.#items;
    for (const [id, change] of view.staged) {
      const stored = this.root.#storedVersion(id);
      if (stored !== change.base) throw new ConcurrencyError(id, change.base, stored);
    }
    for (const [id, change] of view.staged) {
      view.flushed.push({ ...change, key: id, previous: items.get(id) });
      if (change.aggregate === undefined) items.delete(id);
      else items.set(id, change.aggregate);
    }
    view.staged.clear();
  }

  /** The unit of work committed: its flushed changes are final (and reported to the hooks). */
  async afterCommit(): Promise<void> {
    const view = viewOf<TAggregate>(this);
    if (view === undefined) return;
    const root = this.root;
    for (const change of view.flushed) {
      if (change.aggregate !== undefined) {
        root.persisted(copy(change.aggregate), change.options, change.events);
      } else if (change.previous !== undefined) {
        root.deleted(change.id as TId);
      }
    }
    view.flushed = [];
  }

  /**
   * Drains the collected events. A view returns its own, after any that saves made directly on
   * the shared repository left there (code that saves through the shared object rather than the
   * view keeps working as before).
   */
  pullEvents(): AnyDomainEvent[] {
    const root = this.root;
    const direct = root.#events;
    root.#events = [];
    const view = viewOf(this);
    if (view === undefined) return direct;
    const own = view.events;
    view.events = [];
    return direct.length === 0 ? own : [...direct, ...own];
  }

  /**
   * Drops collected events. On a unit-of-work view it is the rollback: staged changes are dropped
   * and flushed ones undone, newest first, wherever nothing was written over them since.
   */
  discardEvents(): void {
    const items = this.root.#items;
    this.root.#events = [];
    const view = viewOf<TAggregate>(this);
    if (view === undefined) return;
    view.events = [];
    view.staged.clear();
    for (const change of view.flushed.reverse()) {
      if (items.get(change.key) !== change.aggregate) continue;
      if (change.previous === undefined) items.delete(change.key);
      else items.set(change.key, change.previous);
    }
    view.flushed = [];
  }

  /** Every stored aggregate (copies), in insertion order; a view adds its staged changes. */
  all(): TAggregate[] {
    const view = viewOf<TAggregate>(this);
    const items = new Map(this.root.#items);
    for (const [id, change] of view?.staged ?? []) {
      if (change.aggregate === undefined) items.delete(id);
      else items.set(id, change.aggregate);
    }
    return [...items.values()].map(copy);
  }

  /** How many aggregates are stored (as this view sees them). */
  get size(): number {
    return views.has(this) ? this.all().length : this.#items.size;
  }

  /**
   * Called on the shared repository each time a save reaches the store: at once outside a unit
   * of work, at its commit inside one (once per aggregate, with the events of all its saves in
   * that unit of work). For subclasses that observe writes (the `@pd/testing` fake records them).
   */
  protected persisted(
    _aggregate: TAggregate,
    _options: SaveOptions | undefined,
    _events: readonly AnyDomainEvent[],
  ): void {}

  /** Called on the shared repository each time a delete removes a stored aggregate. */
  protected deleted(_id: TId): void {}
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
