import assert from 'node:assert/strict';
import { type SagaRepository, SagaState, SagaStatus } from '@pd/advanced/saga';
import { FixedClock } from '@pd/ddd';
import { fail } from '../assert/failure.js';
import {
  type ContractSuite,
  defineContract,
  type FixtureContext,
  type StoreFactory,
} from './contract.js';
import { rejectsWithCode } from './contractSupport.js';

/** Options of {@link sagaRepositoryContract}. */
export interface SagaRepositoryContractOptions {
  /** Parallel savers in the concurrency case (default 6). */
  readonly concurrency?: number;
}

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function newState(
  correlationId: string,
  sagaType = 'OrderFulfilment',
  data: Record<string, unknown> = {},
) {
  return SagaState.create({ sagaType, correlationId, data }, { clock: new FixedClock(T0) });
}

function running(correlationId: string, sagaType?: string): SagaState {
  const state = newState(correlationId, sagaType);
  state.markRunning();
  return state;
}

function idsOf(states: readonly SagaState[]): string[] {
  return states.map((s) => s.id).sort();
}

/**
 * The `SagaRepository` contract: upsert under optimistic concurrency against the loaded version
 * (a stale copy and a second saga for the same correlation are `ConcurrencyError`s; one winner
 * among concurrent savers), fresh objects on every read, lookup by correlation id and saga type,
 * and the stalled / suspended / expired-suspended finders with their limits.
 *
 * @example
 * registerContract(sagaRepositoryContract(() => new InMemorySagaRepository()), { describe, it });
 */
export function sagaRepositoryContract(
  makeRepository: StoreFactory<SagaRepository>,
  options: SagaRepositoryContractOptions = {},
): ContractSuite {
  const savers = options.concurrency ?? 6;
  return defineContract<SagaRepository, FixtureContext>(
    'SagaRepository contract',
    makeRepository,
    {},
    {
      'unknown ids and correlations read as undefined; finders of an empty repository return nothing':
        async (repo) => {
          assert.equal(await repo.getById('0190a6e0-0000-7000-8000-000000000000'), undefined);
          assert.equal(await repo.findByCorrelationId('order-1', 'OrderFulfilment'), undefined);
          assert.deepEqual(await repo.findStalled(), []);
          assert.deepEqual(await repo.findSuspended(), []);
          assert.deepEqual(await repo.findExpiredSuspended(at(0)), []);
        },
      'save stores version 1, sets it on the state, and a read returns an equal, fresh state':
        async (repo) => {
          const state = running('order-1');
          state.setData({ total: 5, lines: [{ sku: 'a', qty: 2 }] });
          state.recordStep('charging', 'OrderPlaced', { causationId: 'evt-1' });
          state.markEventProcessed('evt-1');
          await repo.save(state);
          assert.equal(state.version, 1, 'the saved state now carries version 1');
          const loaded = await repo.getById(state.id);
          assert.ok(loaded !== undefined, 'the saved state is found');
          assert.notEqual(loaded, state, 'a read returns a new object');
          assert.deepEqual(loaded.toJSON(), state.toJSON(), 'every field round-trips');
        },
      'saving the loaded copy again bumps the version each time': async (repo) => {
        const state = running('order-1');
        await repo.save(state);
        for (const expected of [2, 3, 4]) {
          const loaded = (await repo.getById(state.id)) ?? fail('missing state');
          loaded.setCurrentStep(`step-${expected}`);
          await repo.save(loaded);
          assert.equal(loaded.version, expected);
        }
        assert.equal((await repo.getById(state.id))?.currentStep, 'step-4');
      },
      'a stale copy is rejected with ConcurrencyError and changes nothing': async (repo) => {
        const state = running('order-1');
        await repo.save(state);
        const a = (await repo.getById(state.id)) ?? fail('missing state');
        const b = (await repo.getById(state.id)) ?? fail('missing state');
        a.setCurrentStep('a');
        await repo.save(a);
        b.setCurrentStep('b');
        const error = await rejectsWithCode(repo.save(b), 'CONCURRENCY', 'saving a stale copy');
        assert.equal(error.expectedVersion, 1);
        assert.equal(error.actualVersion, 2);
        assert.equal((await repo.getById(state.id))?.currentStep, 'a');
        await rejectsWithCode(
          repo.save(a, { expectedVersion: 0 }),
          'CONCURRENCY',
          'an explicit expectedVersion of 0 for a stored state',
        );
        await repo.save(a, { expectedVersion: 2 });
        assert.equal(a.version, 3);
      },
      'a state never saved but with a stored id is rejected': async (repo) => {
        const state = running('order-1');
        await repo.save(state);
        const copy = SagaState.fromJSON({ ...state.toJSON(), version: 0 });
        await rejectsWithCode(repo.save(copy), 'CONCURRENCY', 'inserting an id that exists');
      },
      'concurrent saves of copies at one version: exactly one wins': async (repo) => {
        const state = running('order-1');
        await repo.save(state);
        const copies = await Promise.all(
          Array.from({ length: savers }, () => repo.getById(state.id)),
        );
        const outcomes = await Promise.allSettled(
          copies.map((copy, i) => {
            const c = copy ?? fail('missing state');
            c.setCurrentStep(`writer-${i}`);
            return repo.save(c);
          }),
        );
        assert.equal(
          outcomes.filter((o) => o.status === 'fulfilled').length,
          1,
          `${savers} savers: one wins`,
        );
        for (const o of outcomes) {
          if (o.status === 'rejected' && (o.reason as { code?: unknown })?.code !== 'CONCURRENCY') {
            fail(`a losing saver failed with ${String(o.reason)}, not a ConcurrencyError`);
          }
        }
        assert.equal((await repo.getById(state.id))?.version, 2);
      },
      'one saga per (saga type, correlation id): a second state is rejected, another type is not':
        async (repo) => {
          await repo.save(running('order-1', 'OrderFulfilment'));
          await rejectsWithCode(
            repo.save(running('order-1', 'OrderFulfilment')),
            'CONCURRENCY',
            'a second OrderFulfilment saga for order-1',
          );
          await repo.save(running('order-1', 'Invoicing'));
          await repo.save(running('order-2', 'OrderFulfilment'));
        },
      'findByCorrelationId needs both the correlation id and the saga type to match': async (
        repo,
      ) => {
        const fulfilment = running('order-1', 'OrderFulfilment');
        const invoicing = running('order-1', 'Invoicing');
        await repo.save(fulfilment);
        await repo.save(invoicing);
        assert.equal(
          (await repo.findByCorrelationId('order-1', 'OrderFulfilment'))?.id,
          fulfilment.id,
        );
        assert.equal((await repo.findByCorrelationId('order-1', 'Invoicing'))?.id, invoicing.id);
        assert.equal(await repo.findByCorrelationId('order-2', 'OrderFulfilment'), undefined);
        assert.equal(await repo.findByCorrelationId('order-1', 'Shipping'), undefined);
      },
      'changing a loaded state changes nothing stored until it is saved': async (repo) => {
        const state = running('order-1');
        state.setData({ items: ['a'] });
        await repo.save(state);
        const loaded = (await repo.getById(state.id)) ?? fail('missing state');
        loaded.setData({ items: ['changed'] });
        loaded.setCurrentStep('changed');
        state.setCurrentStep('changed too');
        const again = await repo.getById(state.id);
        assert.deepEqual(again?.data, { items: ['a'] });
        assert.equal(again?.currentStep, 'init');
      },
      'findStalled returns states with undispatched commands or COMPENSATING, whatever their status':
        async (repo) => {
          const pending = running('stalled-pending');
          pending.addPendingCommands([{ commandType: 'ChargeCard', data: { commandId: 'c-1' } }]);
          const sent = running('not-stalled-sent');
          sent.addPendingCommands([{ commandType: 'ChargeCard', data: { commandId: 'c-2' } }]);
          sent.markDispatched(['c-2']);
          const compensating = running('stalled-compensating');
          compensating.startCompensation('payment declined');
          const completed = running('stalled-completed');
          completed.addPendingCommands([
            { commandType: 'SendReceipt', data: { commandId: 'c-3' } },
          ]);
          completed.complete();
          const idle = running('not-stalled-idle');
          for (const s of [pending, sent, compensating, completed, idle]) await repo.save(s);
          assert.deepEqual(
            idsOf(await repo.findStalled()),
            idsOf([pending, compensating, completed]),
          );
        },
      'findSuspended returns SUSPENDED states; findExpiredSuspended only those whose timeout is due':
        async (repo) => {
          const due = running('due');
          due.suspend('waiting for payment', at(1_000));
          const exactlyNow = running('exactly-now');
          exactlyNow.suspend('waiting', at(5_000));
          const later = running('later');
          later.suspend('waiting', at(60_000));
          const forever = running('forever');
          forever.suspend('waiting for a human', null);
          const active = running('active');
          for (const s of [due, exactlyNow, later, forever, active]) await repo.save(s);
          assert.deepEqual(
            idsOf(await repo.findSuspended()),
            idsOf([due, exactlyNow, later, forever]),
          );
          assert.deepEqual(
            idsOf(await repo.findExpiredSuspended(at(5_000))),
            idsOf([due, exactlyNow]),
          );
          assert.deepEqual(idsOf(await repo.findExpiredSuspended(at(0))), []);
          assert.deepEqual(
            idsOf(await repo.findExpiredSuspended(at(10 ** 12))),
            idsOf([due, exactlyNow, later]),
          );
          const resumed = (await repo.getById(due.id)) ?? fail('missing state');
          resumed.resume();
          await repo.save(resumed);
          assert.equal(resumed.status, SagaStatus.RUNNING);
          assert.deepEqual(idsOf(await repo.findExpiredSuspended(at(5_000))), idsOf([exactlyNow]));
        },
      'finders return at most limit states (default 10)': async (repo) => {
        for (let i = 0; i < 13; i++) {
          const s = running(`suspended-${i}`);
          s.suspend('waiting', at(i));
          s.addPendingCommands([{ commandType: 'Ping', data: { commandId: `p-${i}` } }]);
          await repo.save(s);
        }
        assert.equal((await repo.findSuspended()).length, 10);
        assert.equal((await repo.findSuspended(3)).length, 3);
        assert.equal((await repo.findExpiredSuspended(at(100))).length, 10);
        assert.equal((await repo.findExpiredSuspended(at(100), 4)).length, 4);
        assert.equal((await repo.findStalled()).length, 10);
        assert.equal((await repo.findStalled(13)).length, 13);
      },
      'hostile correlation ids, saga types and data round-trip verbatim': async (repo) => {
        const hostile = [
          `O'Brien "1"`,
          "'); DROP TABLE sagas; --",
          'ünï-😀-日本',
          'a%_',
          'x'.repeat(300),
        ];
        for (const [i, id] of hostile.entries()) {
          const state = SagaState.create(
            {
              sagaType: `Type-${id}`,
              correlationId: id,
              data: { text: id, n: i, nested: { list: [id] } },
            },
            { clock: new FixedClock(T0) },
          );
          await repo.save(state);
        }
        for (const [i, id] of hostile.entries()) {
          const found = await repo.findByCorrelationId(id, `Type-${id}`);
          assert.deepEqual(found?.data, { text: id, n: i, nested: { list: [id] } });
        }
        assert.equal(
          await repo.findByCorrelationId('a__', 'Type-a%_'),
          undefined,
          'no wildcard matching',
        );
      },
    },
  );
}
