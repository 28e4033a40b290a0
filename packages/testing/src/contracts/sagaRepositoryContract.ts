import assert from 'node:assert/strict';
import {
  canRemoveFinishedSagas,
  type FinishedSagaCutoffs,
  type RemovingSagaRepository,
  type SagaRepository,
  SagaState,
  SagaStatus,
} from '@pd/advanced/saga';
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
  /**
   * Whether the repository implements the optional removal of finished sagas (`findFinished`,
   * `deleteFinished`). Default true: the removal cases run, and fail for a repository without
   * them. Pass `false` for a repository that cannot remove: those cases are left out (a
   * `SagaManager` then refuses a retention policy for it).
   */
  readonly removesFinished?: boolean;
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

function idsOf(states: readonly { readonly id: string }[]): string[] {
  return states.map((s) => s.id).sort();
}

type Ending = 'complete' | 'fail' | 'compensate';

/** A saga that ran and finished (or not: `'owing'` completes with a command still to send) at `ms`. */
function finishedAt(ms: number, correlationId: string, ending: Ending | 'owing'): SagaState {
  const clock = new FixedClock(T0);
  const state = SagaState.create({ sagaType: 'OrderFulfilment', correlationId }, { clock });
  state.markRunning();
  clock.set(at(ms));
  if (ending === 'owing') {
    state.addPendingCommands([
      { commandType: 'SendReceipt', data: { commandId: `r-${correlationId}` } },
    ]);
    state.complete();
  } else if (ending === 'complete') state.complete();
  else if (ending === 'fail') state.fail('declined');
  else {
    state.startCompensation('declined');
    state.finishCompensation();
  }
  return state;
}

/** The sagas that are never candidates for removal, whatever their age. */
function unfinished(): SagaState[] {
  const pending = newState('keep-pending');
  const runningOne = running('keep-running');
  const suspended = running('keep-suspended');
  suspended.suspend('waiting for a human', null);
  const compensating = running('keep-compensating');
  compensating.startCompensation('payment declined');
  return [pending, runningOne, suspended, compensating, finishedAt(0, 'keep-owing', 'owing')];
}

const ALL_BEFORE = (ms: number): FinishedSagaCutoffs => ({
  COMPLETED: at(ms),
  FAILED: at(ms),
  COMPENSATED: at(ms),
});

function removing(repo: SagaRepository): RemovingSagaRepository {
  if (canRemoveFinishedSagas(repo)) return repo;
  return fail(
    'the repository does not implement the optional findFinished / deleteFinished; pass { removesFinished: false } to sagaRepositoryContract if it cannot remove finished sagas',
  );
}

/**
 * The `SagaRepository` contract: upsert under optimistic concurrency against the loaded version
 * (a stale copy and a second saga for the same correlation are `ConcurrencyError`s; one winner
 * among concurrent savers), fresh objects on every read, lookup by correlation id and saga type,
 * and the stalled / suspended / expired-suspended finders with their limits.
 *
 * Unless `removesFinished: false`, also the optional removal of finished sagas: `findFinished`
 * selects only finished sagas (terminal, owing no command) last changed strictly before the cutoff
 * of their status, at most `limit`; `deleteFinished` removes only finished sagas still at the
 * version they were found with, frees their correlation, and loses a race with a save cleanly.
 *
 * @example
 * registerContract(sagaRepositoryContract(() => new InMemorySagaRepository()), { describe, it });
 */
export function sagaRepositoryContract(
  makeRepository: StoreFactory<SagaRepository>,
  options: SagaRepositoryContractOptions = {},
): ContractSuite {
  const savers = options.concurrency ?? 6;
  const removal = options.removesFinished ?? true;
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
      'implements both optional removal methods or neither': async (repo) => {
        assert.equal(
          typeof repo.findFinished,
          typeof repo.deleteFinished,
          'findFinished and deleteFinished come as a pair',
        );
      },
      ...(removal ? removalCases(savers) : {}),
    },
  );
}

type Cases = Record<string, (repo: SagaRepository) => Promise<void>>;

function removalCases(savers: number): Cases {
  return {
    'findFinished returns only finished sagas last changed before the cutoff of their status':
      async (repo) => {
        const sagas = removing(repo);
        const completed = finishedAt(1_000, 'completed', 'complete');
        const failed = finishedAt(1_000, 'failed', 'fail');
        const compensated = finishedAt(1_000, 'compensated', 'compensate');
        const atCutoff = finishedAt(5_000, 'at-cutoff', 'complete');
        const later = finishedAt(9_000, 'later', 'complete');
        const kept = unfinished();
        for (const s of [completed, failed, compensated, atCutoff, later, ...kept])
          await sagas.save(s);

        assert.deepEqual(
          idsOf(await sagas.findFinished(ALL_BEFORE(5_000))),
          idsOf([completed, failed, compensated]),
          'strictly before the cutoff: a saga changed exactly at it stays',
        );
        assert.deepEqual(
          idsOf(await sagas.findFinished({ COMPLETED: at(5_000) })),
          idsOf([completed]),
          'a status without cutoff is kept',
        );
        assert.deepEqual(
          idsOf(await sagas.findFinished({ FAILED: at(5_000), COMPENSATED: at(500) })),
          idsOf([failed]),
          'each status has its own cutoff',
        );
        assert.deepEqual(await sagas.findFinished({}), [], 'no cutoff: nothing is due');
        assert.deepEqual(
          idsOf(await sagas.findFinished(ALL_BEFORE(10 ** 12))),
          idsOf([completed, failed, compensated, atCutoff, later]),
          'never a pending, running, suspended or compensating saga, nor one still owing a command',
        );
        const [found] = await sagas.findFinished({ FAILED: at(5_000) });
        assert.deepEqual(found?.toJSON(), failed.toJSON(), 'a found saga reads back in full');
      },
    'deleteFinished removes the listed sagas at their found version, frees their correlation and reports their ids':
      async (repo) => {
        const sagas = removing(repo);
        const finished = [
          finishedAt(1_000, 'order-1', 'complete'),
          finishedAt(1_000, 'order-2', 'fail'),
          finishedAt(1_000, 'order-3', 'compensate'),
        ];
        const kept = running('order-4');
        for (const s of [...finished, kept]) await sagas.save(s);

        const found = await sagas.findFinished(ALL_BEFORE(2_000));
        assert.deepEqual(idsOf(found), idsOf(finished));
        const removed = await sagas.deleteFinished(
          found.map(({ id, version }) => ({ id, version })),
        );
        assert.deepEqual([...removed].sort(), idsOf(finished), 'the ids removed are reported');
        for (const s of finished) {
          assert.equal(await sagas.getById(s.id), undefined, `${s.correlationId} is gone`);
          assert.equal(await sagas.findByCorrelationId(s.correlationId, s.sagaType), undefined);
        }
        assert.equal((await sagas.getById(kept.id))?.status, SagaStatus.RUNNING);
        assert.deepEqual(await sagas.findFinished(ALL_BEFORE(2_000)), []);
        assert.deepEqual(await sagas.deleteFinished(found), [], 'removing twice removes nothing');
        assert.deepEqual(
          await sagas.deleteFinished([{ id: '0190a6e0-0000-7000-8000-00000000dead', version: 1 }]),
          [],
          'an unknown id is ignored',
        );
        assert.deepEqual(await sagas.deleteFinished([]), []);

        const again = running('order-1');
        await sagas.save(again);
        assert.equal(again.version, 1, 'a removed saga frees its (saga type, correlation id)');
        const stale = finished[0] ?? fail('missing saga');
        stale.setMetadata({ resurrected: true });
        await rejectsWithCode(sagas.save(stale), 'CONCURRENCY', 'saving a removed saga');
      },
    'a saga saved after it was found is not removed; the rest of the batch is': async (repo) => {
      const sagas = removing(repo);
      const a = finishedAt(1_000, 'order-a', 'complete');
      const b = finishedAt(1_000, 'order-b', 'complete');
      await sagas.save(a);
      await sagas.save(b);
      const found = await sagas.findFinished(ALL_BEFORE(2_000));
      assert.deepEqual(idsOf(found), idsOf([a, b]));

      const other = (await sagas.getById(a.id)) ?? fail('missing saga');
      other.setMetadata({ auditedBy: 'ops' });
      await sagas.save(other);

      assert.deepEqual(await sagas.deleteFinished(found), [b.id], 'only the unchanged one goes');
      const still = await sagas.getById(a.id);
      assert.equal(still?.version, 2, 'the changed saga is still stored, at its new version');
      assert.deepEqual(still?.metadata, { auditedBy: 'ops' });
    },
    'deleteFinished never removes a saga that is not finished, even at its current version': async (
      repo,
    ) => {
      const sagas = removing(repo);
      const kept = unfinished();
      for (const s of kept) await sagas.save(s);
      assert.deepEqual(
        await sagas.deleteFinished(kept.map(({ id, version }) => ({ id, version }))),
        [],
      );
      for (const s of kept) {
        assert.equal((await sagas.getById(s.id))?.status, s.status, `${s.correlationId} stays`);
      }
    },
    'findFinished returns at most limit sagas (default 10): find-and-delete drains a backlog in bounded batches':
      async (repo) => {
        const sagas = removing(repo);
        for (let i = 0; i < 13; i++) await sagas.save(finishedAt(i, `done-${i}`, 'complete'));
        const busy = [running('busy-1'), running('busy-2')];
        for (const s of busy) await sagas.save(s);
        const cutoffs = ALL_BEFORE(1_000);
        assert.equal((await sagas.findFinished(cutoffs)).length, 10);
        assert.equal((await sagas.findFinished(cutoffs, 4)).length, 4);

        const rounds: number[] = [];
        for (let round = 0; round < 4; round++) {
          const found = await sagas.findFinished(cutoffs, 5);
          rounds.push((await sagas.deleteFinished(found)).length);
        }
        assert.deepEqual(rounds, [5, 5, 3, 0]);
        for (const s of busy) assert.ok(await sagas.getById(s.id), `${s.correlationId} stays`);
      },
    'a removal racing a save of the same version: exactly one of them wins': async (repo) => {
      const sagas = removing(repo);
      const states = Array.from({ length: savers }, (_, i) =>
        finishedAt(1_000, `race-${i}`, 'complete'),
      );
      for (const s of states) await sagas.save(s);
      const copies = await Promise.all(
        states.map(async (s) => (await sagas.getById(s.id)) ?? fail('missing saga')),
      );
      const races = await Promise.all(
        copies.map(async (copy) => {
          copy.setMetadata({ touched: true });
          const [saved, removed] = await Promise.allSettled([
            sagas.save(copy),
            sagas.deleteFinished([{ id: copy.id, version: 1 }]),
          ]);
          return { id: copy.id, saved, removed };
        }),
      );
      for (const { id, saved, removed } of races) {
        if (removed.status === 'rejected') fail(`deleteFinished failed: ${String(removed.reason)}`);
        const stored = await sagas.getById(id);
        if (removed.value.includes(id)) {
          assert.equal(saved.status, 'rejected', 'the save lost to the removal');
          const code = saved.status === 'rejected' ? (saved.reason as { code?: unknown }).code : '';
          assert.equal(code, 'CONCURRENCY', 'and failed with a ConcurrencyError');
          assert.equal(stored, undefined, 'the removed saga stays removed');
        } else {
          assert.equal(saved.status, 'fulfilled', 'the removal lost to the save');
          assert.equal(stored?.version, 2, 'the saved saga is kept at its new version');
        }
      }
    },
  };
}
