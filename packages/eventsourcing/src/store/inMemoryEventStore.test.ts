import { fc, test } from '@fast-check/vitest';
import { ConcurrencyError, DomainEvent, FixedClock, isPdError, ValidationError } from '@pd/ddd';
import {
  DuplicateCommandError,
  type ExpectedVersion,
  InMemoryEventStore,
  StreamDeletedError,
  StreamNotFoundError,
  streamCategoryOf,
} from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

class Noted extends DomainEvent('Noted', {
  text: z.string(),
  tags: z.array(z.string()).default(() => []),
}) {}
class Other extends DomainEvent('Other', { n: z.number() }) {}

const note = (text: string) => new Noted({ text });
const clock = new FixedClock('2026-02-01T00:00:00.000Z');

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('InMemoryEventStore: append and read', () => {
  it('stores serialised events with stream version, global position, recordedAt and metadata', async () => {
    const store = new InMemoryEventStore({ clock });
    const event = new Noted({ text: 'a', tags: ['x'] });
    const result = await store.appendToStream('Note-1', [event], {
      expectedVersion: 'no_stream',
      commandId: 'cmd-1',
      metadata: { tenant: 't1' },
    });
    expect(result).toEqual({ nextExpectedVersion: 1, lastPosition: 1 });
    const { events, version } = await store.readStream('Note-1');
    expect(version).toBe(1);
    expect(events[0]).toEqual({
      ...event.toJSON(),
      streamId: 'Note-1',
      streamVersion: 1,
      globalPosition: 1,
      recordedAt: '2026-02-01T00:00:00.000Z',
      metadata: { tenant: 't1', commandId: 'cmd-1' },
    });
    expect(events[0]).not.toBeInstanceOf(Noted);
  });

  it('hands out frozen records: a reader cannot change what is stored', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('Note-1', [new Noted({ text: 'a', tags: ['x'] })], {
      expectedVersion: 0,
    });
    const tags = (await store.readStream('Note-1')).events[0]?.payload.tags as string[];
    expect(() => {
      tags.push('y');
    }).toThrow(TypeError);
    expect((await store.readStream('Note-1')).events[0]?.payload.tags).toEqual(['x']);
  });

  it('reads a stream from a version with a limit, reporting the full length', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('Note-1', ['a', 'b', 'c', 'd'].map(note), {
      expectedVersion: 'any',
    });
    const slice = await store.readStream('Note-1', { fromVersion: 1, limit: 2 });
    expect(slice.version).toBe(4);
    expect(slice.events.map((e) => e.streamVersion)).toEqual([2, 3]);
    expect((await store.readStream('Note-1', { fromVersion: 4 })).events).toEqual([]);
  });

  it('creates an empty stream when appending nothing', async () => {
    const store = new InMemoryEventStore();
    const result = await store.appendToStream('Note-1', [], { expectedVersion: 'no_stream' });
    expect(result).toEqual({ nextExpectedVersion: 0, lastPosition: null });
    expect(await store.readStream('Note-1')).toEqual({
      streamId: 'Note-1',
      version: 0,
      events: [],
    });
  });

  it('throws StreamNotFoundError for an unknown stream', async () => {
    const error = await caught(new InMemoryEventStore().readStream('Note-9'));
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect(isPdError(error, 'STREAM_NOT_FOUND')).toBe(true);
    expect(error).toMatchObject({ streamId: 'Note-9' });
  });

  it('appends several events atomically: a bad one leaves the stream unchanged', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('Note-1', [note('a')], { expectedVersion: 0 });
    const bad = { toJSON: () => ({ type: '' }) } as never;
    await expect(
      store.appendToStream('Note-1', [note('b'), bad], { expectedVersion: 1 }),
    ).rejects.toThrow(ValidationError);
    expect((await store.readStream('Note-1')).version).toBe(1);
    expect(store.lastPosition).toBe(1);
  });

  it('validates its input before writing', async () => {
    const store = new InMemoryEventStore();
    await expect(store.appendToStream('', [note('a')], { expectedVersion: 0 })).rejects.toThrow(
      ValidationError,
    );
    await expect(
      store.appendToStream('Note-1', [note('a')], { expectedVersion: -1 }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'expectedVersion',
    });
    await expect(store.readStream('Note-1', { fromVersion: -1 })).rejects.toThrow(ValidationError);
    await expect(store.readAll({ limit: 0 })).rejects.toThrow(ValidationError);
    expect(store.lastPosition).toBe(0);
  });
});

describe('InMemoryEventStore: expected version', () => {
  const cases: [string, ExpectedVersion, boolean, boolean][] = [
    // [name, expected, ok on missing stream, ok on stream of 2]
    ['any', 'any', true, true],
    ['no_stream', 'no_stream', true, false],
    ['stream_exists', 'stream_exists', false, true],
    ['0', 0, true, false],
    ['2', 2, false, true],
    ['1', 1, false, false],
    ['3', 3, false, false],
  ];
  for (const [name, expected, okMissing, okExisting] of cases) {
    it(`${name}: ${okMissing ? 'accepts' : 'rejects'} a missing stream, ${okExisting ? 'accepts' : 'rejects'} a stream of 2`, async () => {
      const store = new InMemoryEventStore();
      const missing = store.appendToStream('Note-1', [note('x')], { expectedVersion: expected });
      if (okMissing) await expect(missing).resolves.toMatchObject({ nextExpectedVersion: 1 });
      else await expect(missing).rejects.toBeInstanceOf(ConcurrencyError);

      await store.appendToStream('Note-2', [note('a'), note('b')], { expectedVersion: 'any' });
      const existing = store.appendToStream('Note-2', [note('x')], { expectedVersion: expected });
      if (okExisting) await expect(existing).resolves.toMatchObject({ nextExpectedVersion: 3 });
      else {
        const error = await caught(existing);
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({
          stream: 'Note-2',
          expectedVersion: expected,
          actualVersion: 2,
        });
        expect((await store.readStream('Note-2')).version).toBe(2);
      }
    });
  }

  it('gives exactly one winner per version among concurrent appends', async () => {
    const store = new InMemoryEventStore();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.appendToStream('Note-1', [note(`w${i}`)], { expectedVersion: 0 }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'rejected' && r.reason instanceof ConcurrencyError),
    ).toHaveLength(9);
    expect((await store.readStream('Note-1')).version).toBe(1);
  });
});

describe('InMemoryEventStore: command ids', () => {
  it('rejects a repeated command id on the same stream, allows it on another', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('Note-1', [note('a')], { expectedVersion: 0, commandId: 'c1' });
    const error = await caught(
      store.appendToStream('Note-1', [note('b')], { expectedVersion: 1, commandId: 'c1' }),
    );
    expect(error).toBeInstanceOf(DuplicateCommandError);
    expect(error).toMatchObject({ code: 'DUPLICATE_COMMAND', streamId: 'Note-1', commandId: 'c1' });
    await expect(
      store.appendToStream('Note-2', [note('b')], { expectedVersion: 0, commandId: 'c1' }),
    ).resolves.toMatchObject({ nextExpectedVersion: 1 });
  });

  it('reports a retry of a succeeded command as a duplicate even with a stale expected version', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('Note-1', [note('a')], { expectedVersion: 0, commandId: 'c1' });
    await expect(
      store.appendToStream('Note-1', [note('a')], { expectedVersion: 0, commandId: 'c1' }),
    ).rejects.toBeInstanceOf(DuplicateCommandError);
  });

  it('does not burn the command id when the append fails (fix of the reference)', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('Note-1', [note('a')], { expectedVersion: 0 });
    await expect(
      store.appendToStream('Note-1', [note('b')], { expectedVersion: 0, commandId: 'c1' }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(
      store.appendToStream('Note-1', [note('b')], { expectedVersion: 1, commandId: 'c1' }),
    ).resolves.toMatchObject({ nextExpectedVersion: 2 });
  });
});

describe('InMemoryEventStore: global log', () => {
  async function seeded(): Promise<InMemoryEventStore> {
    const store = new InMemoryEventStore();
    await store.appendToStream('Note-1', [note('a')], { expectedVersion: 'any' });
    await store.appendToStream('Other-1', [new Other({ n: 1 })], { expectedVersion: 'any' });
    await store.appendToStream('Note-2', [note('b'), note('c')], { expectedVersion: 'any' });
    await store.appendToStream('Notes-3', [note('d')], { expectedVersion: 'any' });
    return store;
  }

  it('reads in append order across streams, from a position, in pages', async () => {
    const store = await seeded();
    const first = await store.readAll({ limit: 2 });
    expect(first.events.map((e) => e.globalPosition)).toEqual([1, 2]);
    expect(first).toMatchObject({ lastPosition: 2, isEnd: false });
    const second = await store.readAll({ fromPosition: first.lastPosition, limit: 10 });
    expect(second.events.map((e) => e.payload.text ?? e.payload.n)).toEqual(['b', 'c', 'd']);
    expect(second).toMatchObject({ lastPosition: 5, isEnd: true });
    expect(await store.readAll({ fromPosition: 5 })).toEqual({
      events: [],
      lastPosition: 5,
      isEnd: true,
    });
    expect(await new InMemoryEventStore().readAll()).toEqual({
      events: [],
      lastPosition: 0,
      isEnd: true,
    });
  });

  it('filters by event type and by stream category (the part before the first "-")', async () => {
    const store = await seeded();
    expect((await store.readAll({ eventTypes: ['Other'] })).events.map((e) => e.streamId)).toEqual([
      'Other-1',
    ]);
    const notes = await store.readAll({ streamCategory: 'Note' });
    expect(notes.events.map((e) => e.streamId)).toEqual(['Note-1', 'Note-2', 'Note-2']);
    expect(streamCategoryOf('Order-01890a5d-ac96')).toBe('Order');
    expect(streamCategoryOf('plain')).toBe('plain');
  });

  it('advances lastPosition past filtered-out events so paging never stalls', async () => {
    const store = await seeded();
    const page = await store.readAll({ eventTypes: ['Other'], fromPosition: 2, limit: 1 });
    expect(page).toEqual({ events: [], lastPosition: 5, isEnd: true });
  });

  it('applies the default page size', async () => {
    const store = new InMemoryEventStore({ defaultPageSize: 2 });
    await store.appendToStream('Note-1', ['a', 'b', 'c'].map(note), { expectedVersion: 'any' });
    expect(await store.readAll()).toMatchObject({ lastPosition: 2, isEnd: false });
  });
});

describe('InMemoryEventStore: metadata, tombstones, notifications', () => {
  it('reports stream metadata', async () => {
    const store = new InMemoryEventStore({ clock });
    expect(await store.getStreamMetadata('Note-1')).toBeUndefined();
    await store.appendToStream('Note-1', [note('a')], { expectedVersion: 0 });
    expect(await store.getStreamMetadata('Note-1')).toEqual({
      streamId: 'Note-1',
      version: 1,
      deleted: false,
      createdAt: '2026-02-01T00:00:00.000Z',
      updatedAt: '2026-02-01T00:00:00.000Z',
    });
  });

  it('tombstones a stream: reads and appends throw, the global log keeps its events', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('Note-1', [note('a')], { expectedVersion: 0 });
    await expect(store.deleteStream('Note-1', { expectedVersion: 0 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await store.deleteStream('Note-1', { expectedVersion: 1 });
    await expect(store.readStream('Note-1')).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(
      store.appendToStream('Note-1', [note('b')], { expectedVersion: 'any' }),
    ).rejects.toMatchObject({
      code: 'STREAM_DELETED',
    });
    expect((await store.getStreamMetadata('Note-1'))?.deleted).toBe(true);
    expect((await store.readAll()).events).toHaveLength(1);
    await expect(store.deleteStream('Note-1')).resolves.toBeUndefined();
    await expect(store.deleteStream('Note-9')).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('notifies listeners after appends with events, and stops after unsubscribe', async () => {
    const store = new InMemoryEventStore({ onListenerError: () => {} });
    let calls = 0;
    const off = store.onAppended(() => {
      calls += 1;
    });
    store.onAppended(() => {
      throw new Error('listener bug');
    });
    await store.appendToStream('Note-1', [note('a')], { expectedVersion: 0 });
    await store.appendToStream('Note-1', [], { expectedVersion: 1 });
    expect(calls).toBe(1);
    off();
    await store.appendToStream('Note-1', [note('b')], { expectedVersion: 1 });
    expect(calls).toBe(1);
  });
});

describe('InMemoryEventStore: properties', () => {
  const op = fc.record({
    stream: fc.constantFrom('A-1', 'A-2', 'B-1'),
    count: fc.integer({ min: 0, max: 3 }),
    mode: fc.constantFrom('exact', 'any', 'no_stream', 'stream_exists', 'wrong'),
  });

  test.prop([fc.array(op, { maxLength: 40 })])(
    'positions strictly increase, stream versions are 1..n, read-back equals what was accepted',
    async (ops) => {
      const store = new InMemoryEventStore();
      const model = new Map<string, string[]>();
      const accepted: string[] = [];
      let counter = 0;
      for (const { stream, count, mode } of ops) {
        const current = model.get(stream);
        const length = current?.length ?? 0;
        const expectedVersion: ExpectedVersion =
          mode === 'exact' ? length : mode === 'wrong' ? length + 1 : mode;
        const texts = Array.from({ length: count }, () => `e${counter++}`);
        const shouldPass =
          mode === 'exact' ||
          mode === 'any' ||
          (mode === 'no_stream' && current === undefined) ||
          (mode === 'stream_exists' && current !== undefined);
        try {
          await store.appendToStream(stream, texts.map(note), { expectedVersion });
          expect(shouldPass).toBe(true);
          model.set(stream, [...(current ?? []), ...texts]);
          accepted.push(...texts);
        } catch (error) {
          expect(shouldPass).toBe(false);
          expect(error).toBeInstanceOf(ConcurrencyError);
        }
      }
      const all = (await store.readAll({ limit: 10_000 })).events;
      expect(all.map((e) => e.payload.text)).toEqual(accepted);
      for (let i = 1; i < all.length; i++) {
        expect((all[i]?.globalPosition ?? 0) > (all[i - 1]?.globalPosition ?? 0)).toBe(true);
      }
      for (const [stream, texts] of model) {
        const slice = await store.readStream(stream);
        expect(slice.version).toBe(texts.length);
        expect(slice.events.map((e) => e.streamVersion)).toEqual(texts.map((_, i) => i + 1));
        expect(slice.events.map((e) => e.payload.text)).toEqual(texts);
      }
    },
  );
});
