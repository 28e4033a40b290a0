// Workload 3: in-memory event store, N single-event appends over S streams, then read all back.
import { InMemoryEventStore } from '@pd/eventsourcing';
import { expectEqual, phaseTimer, sized } from '../harness/measure.js';
import type { BenchCase, CaseContext, Runner } from '../harness/types.js';
import { MoneyDeposited } from './domain.js';

interface Size {
  readonly events: number;
  readonly streams: number;
}

const size = (context: CaseContext): Size =>
  sized(context, {
    full: { events: 100_000, streams: 1_000 },
    quick: { events: 10_000, streams: 100 },
    smoke: { events: 200, streams: 10 },
  });

const amountOf = (i: number): number => (i % 9) + 1;

function expectedSum(events: number): number {
  let sum = 0;
  for (let i = 0; i < events; i++) sum += amountOf(i);
  return sum;
}

const streamIds = (streams: number): string[] =>
  Array.from({ length: streams }, (_, i) => `Account-${i}`);

function pdRunner(context: CaseContext): Runner {
  const { events, streams } = size(context);
  const ids = streamIds(streams);
  let store: InMemoryEventStore;
  let inputs: MoneyDeposited[] = [];
  let sum = 0;
  return {
    units: events,
    prepare() {
      store = new InMemoryEventStore();
      // Event construction is workload 2: build the events before the clock starts.
      inputs = Array.from(
        { length: events },
        (_, i) =>
          new MoneyDeposited({ accountId: ids[i % streams] as string, amount: amountOf(i) }),
      );
      sum = 0;
    },
    async run() {
      const timer = phaseTimer();
      for (let i = 0; i < events; i++) {
        await store.appendToStream(ids[i % streams] as string, [inputs[i] as MoneyDeposited], {
          expectedVersion: Math.floor(i / streams),
        });
      }
      timer.lap('append');
      for (const id of ids) {
        const slice = await store.readStream(id);
        for (const event of slice.events) sum += (event.payload as { amount: number }).amount;
      }
      timer.lap('read');
      return timer.phases;
    },
    verify() {
      expectEqual(sum, expectedSum(events), 'sum of amounts read back');
      inputs = [];
    },
  };
}

interface Row {
  readonly streamId: string;
  readonly streamVersion: number;
  readonly globalPosition: number;
  readonly type: string;
  readonly payload: { readonly accountId: string; readonly amount: number };
}

function baselineRunner(context: CaseContext): Runner {
  const { events, streams } = size(context);
  const ids = streamIds(streams);
  let store: Map<string, Row[]>;
  let inputs: { readonly accountId: string; readonly amount: number }[] = [];
  let sum = 0;
  return {
    units: events,
    prepare() {
      store = new Map();
      inputs = Array.from({ length: events }, (_, i) => ({
        accountId: ids[i % streams] as string,
        amount: amountOf(i),
      }));
      sum = 0;
    },
    run() {
      const timer = phaseTimer();
      let position = 0;
      for (let i = 0; i < events; i++) {
        const streamId = ids[i % streams] as string;
        let rows = store.get(streamId);
        if (rows === undefined) {
          rows = [];
          store.set(streamId, rows);
        }
        position += 1;
        rows.push({
          streamId,
          streamVersion: rows.length + 1,
          globalPosition: position,
          type: 'MoneyDeposited',
          payload: inputs[i] as Row['payload'],
        });
      }
      timer.lap('append');
      for (const id of ids) {
        for (const row of store.get(id) ?? []) sum += row.payload.amount;
      }
      timer.lap('read');
      return timer.phases;
    },
    verify() {
      expectEqual(sum, expectedSum(events), 'sum of amounts read back');
      inputs = [];
    },
  };
}

export const inMemoryStoreCases: readonly BenchCase[] = [
  {
    id: '3-memory-store',
    workload: 3,
    title: 'In-memory event store: single-event appends over 1k streams, then read back',
    unit: 'events',
    postgres: false,
    note: 'appendToStream(id, [event], { expectedVersion }) ×100k over 1k streams, then readStream of each; vs Map<string, Row[]> push + iterate',
    pd: async (context) => pdRunner(context),
    baseline: async (context) => baselineRunner(context),
  },
];
