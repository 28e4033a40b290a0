import { InMemoryOutbox, type OutboxRecord } from '@pd/bus';
import type { UnitOfWorkContext } from '@pd/cqrs';
import type { AnyDomainEvent, DomainEventJSON } from '@pd/ddd';

/**
 * The bus {@link InMemoryOutbox} (leases, retries, dead records, no duplicate event ids) that
 * also records what was written, claimed, sent and failed.
 *
 * @example
 * const outbox = new FakeOutbox();
 * const uow = () => new FakeUnitOfWork({ outbox });
 * await bus.send(cmd);
 * outbox.written.map((e) => e.type); // ['OrderPlaced']
 */
export class FakeOutbox extends InMemoryOutbox {
  readonly #written: DomainEventJSON[] = [];
  readonly #claimed: OutboxRecord[] = [];
  readonly #sent: string[] = [];
  readonly #failed: {
    readonly id: string;
    readonly error: string;
    readonly retryAt: Date | null;
  }[] = [];

  override async write(
    events: readonly AnyDomainEvent[],
    context: UnitOfWorkContext,
  ): Promise<void> {
    await super.write(events, context);
    for (const event of events) this.#written.push(event.toJSON());
  }

  override async claim(batchSize: number, now: Date): Promise<readonly OutboxRecord[]> {
    const records = await super.claim(batchSize, now);
    this.#claimed.push(...records);
    return records;
  }

  override async markSent(ids: readonly string[]): Promise<void> {
    await super.markSent(ids);
    this.#sent.push(...ids);
  }

  override async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    await super.markFailed(id, error, retryAt);
    this.#failed.push(Object.freeze({ id, error, retryAt }));
  }

  /** JSON of every event handed to `write`, in order (duplicates included). */
  get written(): readonly DomainEventJSON[] {
    return [...this.#written];
  }

  /** Every record handed out by `claim`, in order. */
  get claimed(): readonly OutboxRecord[] {
    return [...this.#claimed];
  }

  /** Ids passed to `markSent`, in order. */
  get sent(): readonly string[] {
    return [...this.#sent];
  }

  /** Calls of `markFailed`, in order. */
  get failed(): readonly {
    readonly id: string;
    readonly error: string;
    readonly retryAt: Date | null;
  }[] {
    return [...this.#failed];
  }
}
