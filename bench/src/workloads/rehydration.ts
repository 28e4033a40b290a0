// Workload 4: rehydrate one long-lived aggregate, from the in-memory store and from PostgreSQL.
import { EventSourcedRepository, type EventStore, InMemoryEventStore } from '@pd/eventsourcing';
import { PostgresEventStore } from '@pd/postgres';
import { type BenchDatabase, openDatabase } from '../harness/database.js';
import { expectEqual, sized } from '../harness/measure.js';
import type { BenchCase, CaseContext, Runner } from '../harness/types.js';
import {
  Account,
  accountHistory,
  applyPlain,
  EMPTY_ACCOUNT,
  expectedBalance,
  type PlainEvent,
} from './domain.js';

const ACCOUNT_ID = '01890a5d-ac96-774b-bcce-b302099a8057';
const STREAM_ID = `Account-${ACCOUNT_ID}`;

const historyLength = (context: CaseContext): number =>
  sized(context, { full: 10_000, quick: 2_000, smoke: 50 });

/** Rehydrations per timed run (each replays the whole history). */
const rehydrations = (context: CaseContext, variant: 'pd' | 'baseline', postgres: boolean) =>
  sized(
    context,
    postgres
      ? { full: 5, quick: 2, smoke: 1 }
      : variant === 'pd'
        ? { full: 10, quick: 2, smoke: 1 }
        : { full: 200, quick: 20, smoke: 1 },
  );

/** Appends the account's history in appends of up to 1000 events (untimed set-up). */
async function seed(store: EventStore, length: number): Promise<void> {
  const history = accountHistory(ACCOUNT_ID, length);
  for (let from = 0; from < history.length; from += 1000) {
    await store.appendToStream(STREAM_ID, history.slice(from, from + 1000), {
      expectedVersion: from,
    });
  }
}

function repositoryRunner(
  store: EventStore,
  length: number,
  times: number,
  close?: () => Promise<void>,
): Runner {
  const repository = new EventSourcedRepository(store, Account);
  let balance = 0;
  let version = 0;
  return {
    units: length * times,
    async run() {
      for (let k = 0; k < times; k++) {
        const account = await repository.getById(ACCOUNT_ID);
        balance = account?.balance ?? Number.NaN;
        version = account?.version ?? 0;
      }
      return undefined;
    },
    verify() {
      expectEqual(balance, expectedBalance(length), 'rehydrated balance');
      expectEqual(version, length, 'rehydrated version');
    },
    ...(close === undefined ? {} : { close }),
  };
}

function reduceRunner(
  load: () => Promise<readonly PlainEvent[]> | readonly PlainEvent[],
  length: number,
  times: number,
  close?: () => Promise<void>,
): Runner {
  let balance = 0;
  let version = 0;
  let count = 0;
  return {
    units: length * times,
    async run() {
      for (let k = 0; k < times; k++) {
        const rows = await load();
        const state = rows.reduce(applyPlain, EMPTY_ACCOUNT);
        balance = state.balance;
        version = state.version;
        count = rows.length;
      }
      return undefined;
    },
    verify() {
      expectEqual(balance, expectedBalance(length), 'folded balance');
      expectEqual(version, length, 'folded version');
      expectEqual(count, length, 'rows folded');
    },
    ...(close === undefined ? {} : { close }),
  };
}

async function seededDatabase(context: CaseContext): Promise<BenchDatabase> {
  const db = await openDatabase(context.pg, 'rehydrate');
  try {
    await seed(new PostgresEventStore(db.executor, { schema: db.schema }), historyLength(context));
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

export const rehydrationCases: readonly BenchCase[] = [
  {
    id: '4a-rehydrate-memory',
    workload: 4,
    title: 'Rehydrate one 10k-event aggregate, in-memory store',
    unit: 'events',
    postgres: false,
    note: 'EventSourcedRepository.getById (read, deserialise + validate, apply) vs rows.reduce(apply) over the stored rows',
    pd: async (context) => {
      const store = new InMemoryEventStore();
      await seed(store, historyLength(context));
      return repositoryRunner(store, historyLength(context), rehydrations(context, 'pd', false));
    },
    baseline: async (context) => {
      const store = new InMemoryEventStore();
      await seed(store, historyLength(context));
      // The store's own rows (they carry type, streamVersion and payload), as before timing.
      const rows = (await store.readStream(STREAM_ID)).events as unknown as readonly PlainEvent[];
      return reduceRunner(
        () => rows,
        historyLength(context),
        rehydrations(context, 'baseline', false),
      );
    },
  },
  {
    id: '4b-rehydrate-postgres',
    workload: 4,
    title: 'Rehydrate one 10k-event aggregate, PostgreSQL',
    unit: 'events',
    postgres: true,
    target: 0.7,
    note: 'getById through PostgresEventStore vs raw SELECT type, version, payload … ORDER BY stream_version + reduce',
    pd: async (context) => {
      const db = await seededDatabase(context);
      const store = new PostgresEventStore(db.executor, { schema: db.schema });
      return repositoryRunner(
        store,
        historyLength(context),
        rehydrations(context, 'pd', true),
        () => db.close(),
      );
    },
    baseline: async (context) => {
      const db = await seededDatabase(context);
      // What a fold needs: the type, the version (the aggregate's version for the next append's
      // concurrency check) and the payload.
      const text = `SELECT event_type AS type, stream_version AS "streamVersion", payload FROM ${db.s}.events WHERE stream_id = $1 ORDER BY stream_version`;
      return reduceRunner(
        () => db.raw<PlainEvent>(text, [STREAM_ID], 'bench_rehydrate'),
        historyLength(context),
        rehydrations(context, 'baseline', true),
        () => db.close(),
      );
    },
  },
];
