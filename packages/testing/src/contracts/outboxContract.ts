import assert from 'node:assert/strict';
import type { Outbox, OutboxRecord } from '@pd/bus';
import type { UnitOfWorkContext } from '@pd/cqrs';
import { FixedClock } from '@pd/ddd';
import {
  type ContractSuite,
  defineContract,
  type FixtureContext,
  type StoreFactory,
} from './contract.js';
import { ItemAdded } from './contractSupport.js';

/** What an outbox factory receives: build the outbox with this lease and (optionally) clock. */
export interface OutboxFixtureContext extends FixtureContext {
  /** The claim lease the outbox must use, in ms. */
  readonly leaseMs: number;
  /** A clock set before {@link OUTBOX_CONTRACT_EPOCH}, for outboxes that take one. */
  readonly clock: FixedClock;
}

/**
 * The "now" the outbox contract claims at (2100-01-01T00:00:00Z): later than any real clock, so
 * records written with the system clock are due.
 */
export const OUTBOX_CONTRACT_EPOCH = new Date('2100-01-01T00:00:00.000Z');

/** Options of {@link outboxContract}. */
export interface OutboxContractOptions {
  /** The lease passed to the factory (default 1000 ms; only simulated time passes). */
  readonly leaseMs?: number;
}

const context: UnitOfWorkContext = {
  commandId: 'cmd-1',
  correlationId: 'corr-1',
  causationId: 'cmd-1',
};

/**
 * The transactional `Outbox` contract: write → claim → markSent; claims lease records oldest
 * first and hide them from other claimers; concurrent claimers get disjoint records; a failed
 * record comes back at `retryAt` (or never, when dead); a lease that expires hands the record out
 * again (at-least-once), with `attempts` counting every claim. Time is passed to `claim` from
 * {@link OUTBOX_CONTRACT_EPOCH}; the factory must build the outbox with `context.leaseMs`.
 *
 * @example
 * registerContract(outboxContract(({ leaseMs, clock }) => new InMemoryOutbox({ leaseMs, clock })), { describe, it });
 */
export function outboxContract(
  makeOutbox: StoreFactory<Outbox, OutboxFixtureContext>,
  options: OutboxContractOptions = {},
): ContractSuite {
  const leaseMs = options.leaseMs ?? 1000;
  const t = (ms: number) => new Date(OUTBOX_CONTRACT_EPOCH.getTime() + ms);
  const write = async (outbox: Outbox, count: number, prefix = 'e') => {
    const events = Array.from(
      { length: count },
      (_, i) => new ItemAdded({ item: `${prefix}-${i + 1}`, n: i + 1 }),
    );
    await outbox.write(events, context);
    return events;
  };
  const itemsOf = (records: readonly OutboxRecord[]) => records.map((r) => r.event.payload.item);
  return defineContract<Outbox, OutboxFixtureContext>(
    'Outbox contract',
    makeOutbox,
    { leaseMs, clock: new FixedClock(OUTBOX_CONTRACT_EPOCH.getTime() - 60_000) },
    {
      'an empty outbox has nothing to claim': async (outbox) => {
        assert.deepEqual(await outbox.claim(10, t(0)), []);
        await outbox.write([], context);
        assert.deepEqual(await outbox.claim(10, t(0)), []);
      },
      'a written event is claimed with its JSON, ids, command id and attempts = 1': async (
        outbox,
      ) => {
        const [event] = await write(outbox, 1);
        const [record, ...rest] = await outbox.claim(10, t(0));
        assert.equal(rest.length, 0);
        assert.equal(record?.eventId, event?.eventId);
        assert.equal(record?.eventType, ItemAdded.typeName);
        assert.deepEqual(record?.event, event?.toJSON(), 'the event JSON is verbatim');
        assert.equal(record?.commandId, 'cmd-1');
        assert.equal(record?.attempts, 1);
        assert.equal(record?.lastError, null);
        assert.ok(typeof record?.id === 'string' && record.id !== '', 'a record id');
        assert.ok(record?.createdAt instanceof Date, 'createdAt is a Date');
      },
      'claims are oldest first and respect the batch size': async (outbox) => {
        await write(outbox, 3, 'first');
        await write(outbox, 2, 'second');
        assert.deepEqual(itemsOf(await outbox.claim(2, t(0))), ['first-1', 'first-2']);
        assert.deepEqual(itemsOf(await outbox.claim(2, t(0))), ['first-3', 'second-1']);
        assert.deepEqual(itemsOf(await outbox.claim(2, t(0))), ['second-2']);
      },
      'a claimed record is invisible to a second claimer until its lease expires': async (
        outbox,
      ) => {
        await write(outbox, 2);
        const first = await outbox.claim(10, t(0));
        assert.equal(first.length, 2);
        assert.deepEqual(await outbox.claim(10, t(0)), [], 'same instant');
        assert.deepEqual(await outbox.claim(10, t(leaseMs - 1)), [], 'just before the lease ends');
      },
      'concurrent claimers get disjoint records and together get every record once': async (
        outbox,
      ) => {
        await write(outbox, 10);
        const batches = await Promise.all(Array.from({ length: 4 }, () => outbox.claim(3, t(0))));
        const ids = batches.flat().map((r) => r.id);
        assert.equal(new Set(ids).size, ids.length, 'no record is handed to two claimers');
        const rest = await outbox.claim(100, t(0));
        assert.equal(ids.length + rest.length, 10, 'nothing is lost');
      },
      'markSent removes records for good': async (outbox) => {
        await write(outbox, 2);
        const [a, b] = await outbox.claim(10, t(0));
        await outbox.markSent([a?.id ?? '']);
        const again = await outbox.claim(10, t(leaseMs * 5));
        assert.deepEqual(
          again.map((r) => r.id),
          [b?.id],
          'only the unsent record comes back',
        );
        await outbox.markSent([b?.id ?? '']);
        assert.deepEqual(await outbox.claim(10, t(leaseMs * 50)), []);
      },
      'a failed record comes back at retryAt with its error and attempts counted': async (
        outbox,
      ) => {
        await write(outbox, 1);
        const [record] = await outbox.claim(10, t(0));
        await outbox.markFailed(record?.id ?? '', 'broker down', t(5_000));
        assert.deepEqual(await outbox.claim(10, t(4_999)), [], 'not before retryAt');
        const [retried] = await outbox.claim(10, t(5_000));
        assert.equal(retried?.id, record?.id);
        assert.equal(retried?.attempts, 2);
        assert.equal(retried?.lastError, 'broker down');
        await outbox.markSent([retried?.id ?? '']);
        assert.deepEqual(await outbox.claim(10, t(1_000_000)), []);
      },
      'a failed record with retryAt null is parked for good': async (outbox) => {
        await write(outbox, 2);
        const [dead, alive] = await outbox.claim(10, t(0));
        await outbox.markFailed(dead?.id ?? '', 'poison', null);
        await outbox.markFailed(alive?.id ?? '', 'transient', t(1));
        const later = await outbox.claim(10, t(10_000_000));
        assert.deepEqual(
          later.map((r) => r.id),
          [alive?.id],
          'the dead record is never claimed again',
        );
      },
      'a lease that expires hands the record out again (at-least-once)': async (outbox) => {
        await write(outbox, 1);
        const [first] = await outbox.claim(10, t(0));
        const [second] = await outbox.claim(10, t(leaseMs));
        assert.equal(second?.id, first?.id, "the crashed relay's record is claimed again");
        assert.equal(second?.attempts, 2);
        assert.deepEqual(
          await outbox.claim(10, t(leaseMs + 1)),
          [],
          'the new lease hides it again',
        );
        const [third] = await outbox.claim(10, t(leaseMs * 2));
        assert.equal(third?.attempts, 3);
      },
      'hostile payloads survive the outbox verbatim': async (outbox) => {
        const texts = [
          `O'Brien "q"`,
          "'); DROP TABLE outbox; --",
          'ünï-😀-日本',
          'x'.repeat(50_000),
        ];
        const events = texts.map((item, n) => new ItemAdded({ item, n }));
        await outbox.write(events, context);
        const records = await outbox.claim(10, t(0));
        assert.deepEqual(
          records.map((r) => r.event),
          events.map((e) => e.toJSON()),
        );
      },
    },
  );
}
