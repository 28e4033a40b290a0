import assert from 'node:assert/strict';
import type { AnyDomainEvent } from '@pd/ddd';
import type { EventStore, ExpectedVersion, StoredEvent } from '@pd/eventsourcing';
import { fail } from '../assert/failure.js';
import {
  type ContractSuite,
  defineContract,
  type FixtureContext,
  type StoreFactory,
} from './contract.js';
import {
  ItemAdded,
  ItemRemoved,
  items,
  RichEvent,
  rejects,
  rejectsWithCode,
} from './contractSupport.js';

/** Options of {@link eventStoreContract}. */
export interface EventStoreContractOptions {
  /** Parallel writers in the concurrency cases (default 8). */
  readonly concurrency?: number;
}

const TYPES = { added: ItemAdded.typeName, removed: ItemRemoved.typeName };

/**
 * The `EventStore` contract as a runner-agnostic suite: the expected-version matrix, idempotent
 * appends by command id, atomic multi-event appends, one winner among concurrent writers, global
 * order and paging, filters, stream reads, tombstones, metadata and verbatim round trips of
 * hostile names and payloads. `makeStore` must return a fresh, empty store for each case.
 *
 * @example
 * registerContract(eventStoreContract(() => new InMemoryEventStore()), { describe, it });
 */
export function eventStoreContract(
  makeStore: StoreFactory<EventStore>,
  options: EventStoreContractOptions = {},
): ContractSuite {
  const writers = options.concurrency ?? 8;
  return defineContract<EventStore, FixtureContext>(
    'EventStore contract',
    makeStore,
    {},
    {
      // --- expected versions ------------------------------------------------------------------
      "expectedVersion 'any' appends to a new and to an existing stream": async (store) => {
        const first = await store.appendToStream('Cart-1', items(2), { expectedVersion: 'any' });
        assert.equal(
          first.nextExpectedVersion,
          2,
          'nextExpectedVersion after 2 events on a new stream',
        );
        const second = await store.appendToStream('Cart-1', items(1), { expectedVersion: 'any' });
        assert.equal(second.nextExpectedVersion, 3, 'nextExpectedVersion after one more event');
        assert.equal((await store.readStream('Cart-1')).version, 3);
      },
      "expectedVersion 'no_stream' creates a stream and fails once it exists": async (store) => {
        await store.appendToStream('Cart-1', items(1), { expectedVersion: 'no_stream' });
        const error = await rejectsWithCode(
          store.appendToStream('Cart-1', items(1), { expectedVersion: 'no_stream' }),
          'CONCURRENCY',
          "'no_stream' on an existing stream",
        );
        assert.equal(error.stream, 'Cart-1', 'ConcurrencyError.stream');
        assert.equal(error.expectedVersion, 'no_stream', 'ConcurrencyError.expectedVersion');
        assert.equal(error.actualVersion, 1, 'ConcurrencyError.actualVersion');
        assert.equal(
          (await store.readStream('Cart-1')).version,
          1,
          'the failed append wrote nothing',
        );
      },
      "expectedVersion 'stream_exists' fails on a missing stream and appends to an existing one":
        async (store) => {
          const error = await rejectsWithCode(
            store.appendToStream('Cart-1', items(1), { expectedVersion: 'stream_exists' }),
            'CONCURRENCY',
            "'stream_exists' on a missing stream",
          );
          assert.equal(error.stream, 'Cart-1');
          assert.equal(error.expectedVersion, 'stream_exists');
          assert.ok(
            error.actualVersion === 0 || error.actualVersion === 'no_stream',
            `actualVersion of a missing stream is 0 or 'no_stream', got ${String(error.actualVersion)}`,
          );
          assert.equal(
            await store.getStreamMetadata('Cart-1'),
            undefined,
            'the failed append created no stream',
          );
          await store.appendToStream('Cart-1', items(1), { expectedVersion: 'no_stream' });
          const ok = await store.appendToStream('Cart-1', items(2), {
            expectedVersion: 'stream_exists',
          });
          assert.equal(ok.nextExpectedVersion, 3);
        },
      'an exact expectedVersion equal to the stream length appends (0 for a new stream)': async (
        store,
      ) => {
        assert.equal(
          (await store.appendToStream('Cart-1', items(2), { expectedVersion: 0 }))
            .nextExpectedVersion,
          2,
        );
        assert.equal(
          (await store.appendToStream('Cart-1', items(3), { expectedVersion: 2 }))
            .nextExpectedVersion,
          5,
        );
        assert.equal(
          (await store.appendToStream('Cart-1', items(1), { expectedVersion: 5 }))
            .nextExpectedVersion,
          6,
        );
      },
      'an exact expectedVersion that is stale, ahead or 0 on an existing stream is a ConcurrencyError with stream, expected and actual':
        async (store) => {
          await store.appendToStream('Cart-1', items(3), { expectedVersion: 0 });
          for (const expected of [0, 2, 4, 99]) {
            const error = await rejectsWithCode(
              store.appendToStream('Cart-1', items(1), { expectedVersion: expected }),
              'CONCURRENCY',
              `expectedVersion ${expected} on a stream at version 3`,
            );
            assert.equal(error.stream, 'Cart-1');
            assert.equal(error.expectedVersion, expected);
            assert.equal(error.actualVersion, 3);
          }
          const missing = await rejectsWithCode(
            store.appendToStream('Cart-2', items(1), { expectedVersion: 1 }),
            'CONCURRENCY',
            'expectedVersion 1 on a missing stream',
          );
          assert.equal(missing.actualVersion, 0, 'a missing stream is at version 0');
          assert.equal(
            (await store.readStream('Cart-1')).version,
            3,
            'failed appends wrote nothing',
          );
          assert.equal(await store.getStreamMetadata('Cart-2'), undefined);
        },
      'a negative or fractional expectedVersion is rejected as bad input': async (store) => {
        for (const bad of [-1, 1.5]) {
          await rejectsWithCode(
            store.appendToStream('Cart-1', items(1), { expectedVersion: bad as ExpectedVersion }),
            'VALIDATION',
            `expectedVersion ${bad}`,
          );
        }
        assert.equal(await store.getStreamMetadata('Cart-1'), undefined);
      },
      'an empty stream id is rejected as bad input': async (store) => {
        await rejectsWithCode(
          store.appendToStream('', items(1), { expectedVersion: 'any' }),
          'VALIDATION',
          "append to ''",
        );
      },

      // --- idempotency by command id ----------------------------------------------------------
      'a command id used on a stream is rejected there with DuplicateCommandError, and allowed on another stream':
        async (store) => {
          await store.appendToStream('Cart-1', items(1), {
            expectedVersion: 0,
            commandId: 'cmd-1',
          });
          const error = await rejectsWithCode(
            store.appendToStream('Cart-1', items(1), { expectedVersion: 1, commandId: 'cmd-1' }),
            'DUPLICATE_COMMAND',
            'the same command id on the same stream',
          );
          assert.equal(error.streamId, 'Cart-1', 'DuplicateCommandError.streamId');
          assert.equal(error.commandId, 'cmd-1', 'DuplicateCommandError.commandId');
          await rejectsWithCode(
            store.appendToStream('Cart-1', items(1), {
              expectedVersion: 'any',
              commandId: 'cmd-1',
            }),
            'DUPLICATE_COMMAND',
            "the same command id with expectedVersion 'any'",
          );
          assert.equal(
            (await store.readStream('Cart-1')).version,
            1,
            'the duplicate wrote nothing',
          );
          await store.appendToStream('Cart-2', items(1), {
            expectedVersion: 0,
            commandId: 'cmd-1',
          });
          assert.equal(
            (await store.readStream('Cart-2')).version,
            1,
            'the same id on another stream is allowed',
          );
        },
      'a failed append does not use up its command id': async (store) => {
        await store.appendToStream('Cart-1', items(2), { expectedVersion: 0 });
        await rejectsWithCode(
          store.appendToStream('Cart-1', items(1), { expectedVersion: 1, commandId: 'cmd-retry' }),
          'CONCURRENCY',
          'a stale append with a command id',
        );
        const retried = await store.appendToStream('Cart-1', items(1), {
          expectedVersion: 2,
          commandId: 'cmd-retry',
        });
        assert.equal(retried.nextExpectedVersion, 3, 'the retry with the same command id succeeds');
        const [event] = (await store.readStream('Cart-1', { fromVersion: 2 })).events;
        assert.equal(
          event?.metadata.commandId,
          'cmd-retry',
          'the stored event carries the command id',
        );
      },
      'different command ids on one stream both append': async (store) => {
        await store.appendToStream('Cart-1', items(1), { expectedVersion: 0, commandId: 'a' });
        await store.appendToStream('Cart-1', items(1), { expectedVersion: 1, commandId: 'b' });
        await store.appendToStream('Cart-1', items(1), { expectedVersion: 2 });
        await store.appendToStream('Cart-1', items(1), { expectedVersion: 3 });
        assert.equal(
          (await store.readStream('Cart-1')).version,
          4,
          'appends without a command id never collide',
        );
      },

      // --- atomicity and concurrency ------------------------------------------------------------
      'a multi-event append is atomic: consecutive versions, increasing positions, all or nothing':
        async (store) => {
          const result = await store.appendToStream('Cart-1', items(3), {
            expectedVersion: 'no_stream',
          });
          const { events } = await store.readStream('Cart-1');
          assert.deepEqual(
            events.map((e) => e.streamVersion),
            [1, 2, 3],
          );
          assertIncreasing(
            events.map((e) => e.globalPosition),
            'global positions within one append',
          );
          assert.equal(
            result.lastPosition,
            events[2]?.globalPosition,
            "lastPosition is the last event's position",
          );
          await rejectsWithCode(
            store.appendToStream('Cart-1', items(3), { expectedVersion: 1 }),
            'CONCURRENCY',
            'a stale multi-event append',
          );
          await rejects(
            store.appendToStream(
              'Cart-1',
              [new ItemAdded({ item: 'ok', n: 1 }), {} as AnyDomainEvent],
              {
                expectedVersion: 3,
              },
            ),
            'a batch with a non-event in it',
          );
          assert.equal(
            (await store.readStream('Cart-1')).version,
            3,
            'no failed batch wrote any of its events',
          );
          assert.equal(
            (await readEverything(store)).length,
            3,
            'the global log holds only the first batch',
          );
        },
      'concurrent appends with the same expected version: exactly one winner per version, nothing lost':
        async (store) => {
          for (const [expected, version] of [
            [0, 0],
            [1, 1],
            [2, 2],
          ] as const) {
            const outcomes = await Promise.allSettled(
              Array.from({ length: writers }, (_, w) =>
                store.appendToStream(
                  'Race-1',
                  [new ItemAdded({ item: `v${version}-w${w}`, n: w })],
                  {
                    expectedVersion: expected,
                  },
                ),
              ),
            );
            const winners = outcomes.filter((o) => o.status === 'fulfilled');
            assert.equal(
              winners.length,
              1,
              `${writers} writers at version ${version}: exactly one wins`,
            );
            for (const o of outcomes) {
              if (
                o.status === 'rejected' &&
                (o.reason as { code?: unknown })?.code !== 'CONCURRENCY'
              ) {
                fail(`a losing writer failed with ${String(o.reason)}, not a ConcurrencyError`);
              }
            }
          }
          const { events, version } = await store.readStream('Race-1');
          assert.equal(version, 3);
          assert.deepEqual(
            events.map((e) => e.streamVersion),
            [1, 2, 3],
          );
          assert.equal(
            (await readEverything(store)).length,
            3,
            'losers left nothing in the global log',
          );
        },
      "concurrent 'no_stream' creations of one stream: exactly one wins": async (store) => {
        const outcomes = await Promise.allSettled(
          Array.from({ length: writers }, (_, w) =>
            store.appendToStream('Race-2', items(2, `w${w}`), { expectedVersion: 'no_stream' }),
          ),
        );
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
        for (const o of outcomes) {
          if (o.status === 'rejected' && (o.reason as { code?: unknown })?.code !== 'CONCURRENCY') {
            fail(`a losing creator failed with ${String(o.reason)}, not a ConcurrencyError`);
          }
        }
        assert.equal((await store.readStream('Race-2')).version, 2);
      },
      'concurrent appends with one command id on one stream: exactly one is stored': async (
        store,
      ) => {
        await store.appendToStream('Race-3', items(1), { expectedVersion: 0 });
        const outcomes = await Promise.allSettled(
          Array.from({ length: writers }, () =>
            store.appendToStream('Race-3', items(1), {
              expectedVersion: 'any',
              commandId: 'cmd-race',
            }),
          ),
        );
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, 'one append wins');
        assert.equal((await store.readStream('Race-3')).version, 2);
      },
      'concurrent appends to different streams all succeed with distinct global positions': async (
        store,
      ) => {
        await Promise.all(
          Array.from({ length: writers }, (_, w) =>
            store.appendToStream(`Par-${w}`, items(3, `w${w}`), { expectedVersion: 'no_stream' }),
          ),
        );
        const all = await readEverything(store);
        assert.equal(all.length, writers * 3);
        assert.equal(
          new Set(all.map((e) => e.globalPosition)).size,
          writers * 3,
          'positions are unique',
        );
        assertIncreasing(
          all.map((e) => e.globalPosition),
          'readAll order',
        );
      },

      // --- global log ------------------------------------------------------------------------
      'readAll returns every event in append order across streams, positions strictly increasing':
        async (store) => {
          const empty = await store.readAll();
          assert.deepEqual(
            [empty.events.length, empty.lastPosition, empty.isEnd],
            [0, 0, true],
            'an empty store',
          );
          await store.appendToStream('A-1', [new ItemAdded({ item: 'a1', n: 1 })], {
            expectedVersion: 'any',
          });
          await store.appendToStream('B-1', [new ItemAdded({ item: 'b1', n: 1 })], {
            expectedVersion: 'any',
          });
          await store.appendToStream('A-1', [new ItemRemoved({ item: 'a1' })], {
            expectedVersion: 'any',
          });
          await store.appendToStream('C-1', items(2, 'c'), { expectedVersion: 'any' });
          const all = await readEverything(store);
          assert.deepEqual(
            all.map((e) => [e.streamId, e.streamVersion]),
            [
              ['A-1', 1],
              ['B-1', 1],
              ['A-1', 2],
              ['C-1', 1],
              ['C-1', 2],
            ],
          );
          assertIncreasing(
            all.map((e) => e.globalPosition),
            'global positions',
          );
          assert.ok((all[0]?.globalPosition ?? 0) >= 1, 'the first global position is at least 1');
        },
      'readAll with a limit pages through the whole log exactly once': async (store) => {
        for (let s = 1; s <= 3; s++) {
          for (let batch = 0; batch < 3; batch++) {
            await store.appendToStream(`Page-${s}`, items(batch + 2, `s${s}b${batch}`), {
              expectedVersion: 'any',
            });
          }
        }
        const expected = (await readEverything(store)).map((e) => e.globalPosition);
        assert.equal(expected.length, 27);
        for (const limit of [1, 4, 7, 27, 100]) {
          const seen: number[] = [];
          let from = 0;
          for (let page = 0; ; page++) {
            if (page > 60) fail(`paging with limit ${limit} did not reach isEnd`);
            const slice = await store.readAll({ fromPosition: from, limit });
            assert.ok(slice.events.length <= limit, `a page holds at most ${limit} events`);
            seen.push(...slice.events.map((e) => e.globalPosition));
            assert.ok(slice.lastPosition >= from, 'lastPosition never goes back');
            if (slice.events.length > 0) {
              assert.ok(
                slice.lastPosition >= (slice.events.at(-1)?.globalPosition ?? 0),
                'lastPosition is at or past the last returned event',
              );
            }
            from = slice.lastPosition;
            if (slice.isEnd) break;
            assert.ok(
              slice.events.length > 0 || slice.lastPosition > 0,
              'a page that is not the end makes progress',
            );
          }
          assert.deepEqual(seen, expected, `pages of ${limit} walk the log exactly once, in order`);
          const after = await store.readAll({ fromPosition: from, limit });
          assert.deepEqual(
            [after.events.length, after.isEnd],
            [0, true],
            'reading past the end gives nothing',
          );
        }
      },
      'readAll from a position returns only later events': async (store) => {
        await store.appendToStream('A-1', items(5), { expectedVersion: 'any' });
        const all = await readEverything(store);
        const third = all[2]?.globalPosition ?? 0;
        const rest = await store.readAll({ fromPosition: third });
        assert.deepEqual(
          rest.events.map((e) => e.streamVersion),
          [4, 5],
          'fromPosition is exclusive',
        );
      },
      'readAll filters by event types and by stream category, and paging with filters still reaches the end':
        async (store) => {
          await store.appendToStream('Order-1', [new ItemAdded({ item: 'o1', n: 1 })], {
            expectedVersion: 'any',
          });
          await store.appendToStream('Orderline-1', [new ItemAdded({ item: 'ol1', n: 1 })], {
            expectedVersion: 'any',
          });
          await store.appendToStream('Customer-1', [new ItemRemoved({ item: 'c1' })], {
            expectedVersion: 'any',
          });
          await store.appendToStream('Order-2', [new ItemRemoved({ item: 'o2' })], {
            expectedVersion: 'any',
          });
          await store.appendToStream('Order-line-9', [new ItemAdded({ item: 'o9', n: 9 })], {
            expectedVersion: 'any',
          });
          const removed = await readEverything(store, { eventTypes: [TYPES.removed] });
          assert.deepEqual(
            removed.map((e) => e.streamId),
            ['Customer-1', 'Order-2'],
            'eventTypes filter',
          );
          const orders = await readEverything(store, { streamCategory: 'Order' });
          assert.deepEqual(
            orders.map((e) => e.streamId),
            ['Order-1', 'Order-2', 'Order-line-9'],
            "category 'Order' matches Order-… streams only (not Orderline-1)",
          );
          const both = await readEverything(store, {
            streamCategory: 'Order',
            eventTypes: [TYPES.added],
          });
          assert.deepEqual(
            both.map((e) => e.streamId),
            ['Order-1', 'Order-line-9'],
            'both filters together',
          );
          const paged = await readEverything(store, { streamCategory: 'Customer' }, 1);
          assert.deepEqual(
            paged.map((e) => e.streamId),
            ['Customer-1'],
            'a filtered read with limit 1',
          );
          assert.deepEqual(
            await readEverything(store, { eventTypes: [] }),
            [],
            'an empty type list matches nothing',
          );
        },

      // --- stream reads ------------------------------------------------------------------------
      'readStream returns the stream in order, from a version, with a limit, and always its full version':
        async (store) => {
          await store.appendToStream('Cart-1', items(5), { expectedVersion: 'no_stream' });
          await store.appendToStream('Cart-2', items(2), { expectedVersion: 'no_stream' });
          const whole = await store.readStream('Cart-1');
          assert.equal(whole.streamId, 'Cart-1');
          assert.equal(whole.version, 5);
          assert.deepEqual(
            whole.events.map((e) => e.payload.n),
            [1, 2, 3, 4, 5],
          );
          assert.ok(
            whole.events.every((e) => e.streamId === 'Cart-1'),
            'only events of the stream',
          );
          const from2 = await store.readStream('Cart-1', { fromVersion: 2 });
          assert.deepEqual(
            [from2.version, from2.events.map((e) => e.streamVersion)],
            [5, [3, 4, 5]],
          );
          const limited = await store.readStream('Cart-1', { fromVersion: 1, limit: 2 });
          assert.deepEqual(
            [limited.version, limited.events.map((e) => e.streamVersion)],
            [5, [2, 3]],
          );
          const past = await store.readStream('Cart-1', { fromVersion: 5 });
          assert.deepEqual([past.version, past.events.length], [5, 0]);
        },
      'reading or deleting a stream that does not exist is StreamNotFoundError; its metadata is undefined':
        async (store) => {
          const error = await rejectsWithCode(
            store.readStream('Ghost-1'),
            'STREAM_NOT_FOUND',
            'readStream of a missing stream',
          );
          assert.equal(error.streamId, 'Ghost-1');
          await rejectsWithCode(
            store.deleteStream('Ghost-1'),
            'STREAM_NOT_FOUND',
            'deleteStream of a missing stream',
          );
          assert.equal(await store.getStreamMetadata('Ghost-1'), undefined);
        },
      'appending no events creates an empty stream that exists': async (store) => {
        const result = await store.appendToStream('Empty-1', [], { expectedVersion: 'no_stream' });
        assert.deepEqual([result.nextExpectedVersion, result.lastPosition], [0, null]);
        const slice = await store.readStream('Empty-1');
        assert.deepEqual([slice.streamId, slice.version, slice.events.length], ['Empty-1', 0, 0]);
        assert.equal((await store.getStreamMetadata('Empty-1'))?.version, 0);
        await rejectsWithCode(
          store.appendToStream('Empty-1', items(1), { expectedVersion: 'no_stream' }),
          'CONCURRENCY',
          "'no_stream' on an empty but existing stream",
        );
        await store.appendToStream('Empty-1', items(1), { expectedVersion: 'stream_exists' });
        assert.equal((await store.readStream('Empty-1')).version, 1);
        assert.equal(
          (await readEverything(store)).length,
          1,
          'the empty append added nothing to the log',
        );
      },
      'getStreamMetadata reports the version, deletion and timestamps': async (store) => {
        await store.appendToStream('Cart-1', items(2), { expectedVersion: 'no_stream' });
        const meta = await store.getStreamMetadata('Cart-1');
        assert.equal(meta?.streamId, 'Cart-1');
        assert.equal(meta?.version, 2);
        assert.equal(meta?.deleted, false);
        assert.ok(
          isIsoDate(meta?.createdAt),
          `createdAt is an ISO date, got ${String(meta?.createdAt)}`,
        );
        assert.ok(
          isIsoDate(meta?.updatedAt),
          `updatedAt is an ISO date, got ${String(meta?.updatedAt)}`,
        );
      },

      // --- tombstones ------------------------------------------------------------------------
      'deleteStream tombstones: reads and appends fail with StreamDeletedError, the global log keeps the events':
        async (store) => {
          await store.appendToStream('Cart-1', items(2), { expectedVersion: 'no_stream' });
          await store.appendToStream('Cart-2', items(1), { expectedVersion: 'no_stream' });
          await store.deleteStream('Cart-1');
          await rejectsWithCode(
            store.readStream('Cart-1'),
            'STREAM_DELETED',
            'readStream of a deleted stream',
          );
          for (const expectedVersion of ['any', 2, 'stream_exists', 'no_stream'] as const) {
            await rejectsWithCode(
              store.appendToStream('Cart-1', items(1), { expectedVersion }),
              'STREAM_DELETED',
              `append to a deleted stream with expectedVersion ${String(expectedVersion)}`,
            );
          }
          assert.equal(
            (await store.getStreamMetadata('Cart-1'))?.deleted,
            true,
            'metadata says deleted',
          );
          assert.equal(
            (await readEverything(store)).length,
            3,
            "the deleted stream's events stay in the global log",
          );
          assert.equal(
            (await store.readStream('Cart-2')).version,
            1,
            'other streams are untouched',
          );
          await store.deleteStream('Cart-1');
        },
      'deleteStream checks its expected version': async (store) => {
        await store.appendToStream('Cart-1', items(2), { expectedVersion: 'no_stream' });
        const error = await rejectsWithCode(
          store.deleteStream('Cart-1', { expectedVersion: 1 }),
          'CONCURRENCY',
          'deleteStream with a stale expected version',
        );
        assert.equal(error.actualVersion, 2);
        assert.equal((await store.getStreamMetadata('Cart-1'))?.deleted, false, 'not deleted');
        await store.deleteStream('Cart-1', { expectedVersion: 2 });
        assert.equal((await store.getStreamMetadata('Cart-1'))?.deleted, true);
      },

      // --- round trips -------------------------------------------------------------------------
      'a stored event round-trips the domain event: type, ids, timestamps, tracing ids and payload':
        async (store) => {
          const event = new RichEvent(
            {
              text: 'hello',
              count: 2.5,
              flag: true,
              nothing: null,
              list: ['a', 1, 'b'],
              nested: { deeper: { values: ['x', 'y'] } },
            },
            { correlationId: 'corr-42', causationId: 'cause-7', schemaVersion: 1 },
          );
          await store.appendToStream('Rich-1', [event], {
            expectedVersion: 'no_stream',
            commandId: 'cmd-9',
          });
          const [stored] = (await store.readStream('Rich-1')).events;
          const { streamId, streamVersion, globalPosition, recordedAt, metadata, ...json } =
            stored as StoredEvent;
          assert.deepEqual(json, event.toJSON(), 'the DomainEventJSON part is verbatim');
          assert.deepEqual([streamId, streamVersion], ['Rich-1', 1]);
          assert.ok(globalPosition >= 1);
          assert.ok(isIsoDate(recordedAt), `recordedAt is an ISO date, got ${String(recordedAt)}`);
          assert.equal(metadata.commandId, 'cmd-9');
          const [viaAll] = (await store.readAll()).events;
          assert.deepEqual(viaAll, stored, 'readAll and readStream return the same record');
          assert.equal(
            RichEvent.fromJSON(json).equals(event),
            true,
            'the event class rebuilds an equal event',
          );
        },
      'append metadata is stored with every event of the append, beside the command id': async (
        store,
      ) => {
        const metadata = { tenant: 'acme', user: { id: 'u-1', roles: ['admin'] }, ip: null };
        await store.appendToStream('Cart-1', items(2), { expectedVersion: 'no_stream', metadata });
        await store.appendToStream('Cart-1', items(1), { expectedVersion: 2 });
        const { events } = await store.readStream('Cart-1');
        for (const event of events.slice(0, 2)) {
          assert.deepEqual({ ...event.metadata }, { ...metadata, commandId: null });
        }
        assert.equal(events[2]?.metadata.commandId, null, 'no command id reads back as null');
        assert.equal(events[2]?.metadata.tenant, undefined, 'metadata belongs to its append only');
      },
      'hostile stream ids and payloads (quotes, SQL, unicode, long strings) read back verbatim':
        async (store) => {
          const hostile = [
            `O'Brien-"quoted"`,
            'Robert-"); DROP TABLE events; --',
            'Straße-ünïcödé-日本語-😀',
            'Back\\slash-%_wildcards-$1',
            `Long-${'x'.repeat(300)}`,
          ];
          const texts = [
            `it's "quoted" \\ back\\slash`,
            "'); DELETE FROM events; --",
            'emoji 😀👩‍👩‍👧 rtl שלום combining é',
            'line\nbreak\ttab\r\n',
            'y'.repeat(100_000),
          ];
          for (const [i, streamId] of hostile.entries()) {
            const event = new RichEvent({
              text: texts[i] ?? '',
              count: i,
              flag: false,
              nothing: null,
              list: [texts[i] ?? ''],
              nested: { deeper: { values: [`"${streamId}"`] } },
            });
            await store.appendToStream(streamId, [event], {
              expectedVersion: 'no_stream',
              metadata: { note: texts[i] },
            });
            const slice = await store.readStream(streamId);
            assert.equal(slice.streamId, streamId);
            assert.equal(slice.events[0]?.streamId, streamId, 'the stream id reads back verbatim');
            assert.deepEqual(
              slice.events[0]?.payload,
              event.toJSON().payload,
              'the payload reads back verbatim',
            );
            assert.equal(slice.events[0]?.metadata.note, texts[i], 'metadata reads back verbatim');
            assert.equal((await store.getStreamMetadata(streamId))?.version, 1);
          }
          const all = await readEverything(store);
          assert.deepEqual(
            all.map((e) => e.streamId),
            hostile,
            'the global log holds each hostile stream once',
          );
          assert.deepEqual(
            (await readEverything(store, { streamCategory: "O'Brien" })).map((e) => e.streamId),
            [hostile[0]],
            'a category with a quote filters exactly',
          );
        },
      'stored events are not affected by changing what a read returned': async (store) => {
        await store.appendToStream('Cart-1', items(1), {
          expectedVersion: 'no_stream',
          metadata: { tags: ['a'] },
        });
        const [first] = (await store.readStream('Cart-1')).events;
        if (first === undefined) fail('the appended event is missing');
        try {
          (first.payload as Record<string, unknown>).item = 'changed';
          (first.metadata.tags as string[]).push('changed');
        } catch {
          // frozen records are fine too
        }
        const again = await store.readStream('Cart-1');
        assert.equal(again.events[0]?.payload.item, 'item-1');
        assert.deepEqual(again.events[0]?.metadata.tags, ['a']);
      },
    },
  );
}

/** Reads the whole global log (optionally filtered) page by page. */
async function readEverything(
  store: EventStore,
  filters: { eventTypes?: readonly string[]; streamCategory?: string } = {},
  limit = 1000,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let from = 0;
  for (let page = 0; page < 10_000; page++) {
    const slice = await store.readAll({ ...filters, fromPosition: from, limit });
    events.push(...slice.events);
    if (slice.isEnd) return events;
    from = slice.lastPosition;
  }
  return fail('readAll never reported isEnd');
}

function assertIncreasing(values: readonly number[], what: string): void {
  for (let i = 1; i < values.length; i++) {
    if (!((values[i] ?? 0) > (values[i - 1] ?? 0))) {
      fail(`${what} must be strictly increasing: ${values.join(', ')}`);
    }
  }
}

function isIsoDate(value: unknown): boolean {
  return (
    typeof value === 'string' && !Number.isNaN(Date.parse(value)) && /^\d{4}-\d\d-\d\dT/.test(value)
  );
}
