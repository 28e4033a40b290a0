// Through the real command bus and unit of work: appends happen at commit, with the command id.
import { Command, CommandBus, CommandExecutionError, InMemoryUnitOfWork } from '@pd/cqrs';
import { EventSourcedRepository, InMemoryEventStore } from '@pd/eventsourcing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ACCOUNT_ID, Account } from '../__fixtures__/bank.js';

class OpenAccount extends Command<{ accountId: string }>()('OpenAccount', { owner: z.string() }) {}
class Deposit extends Command()('Deposit', {
  accountId: z.string(),
  amount: z.number().int(),
  failAfterSave: z.boolean().default(false),
}) {}

function setup() {
  const store = new InMemoryEventStore();
  class BankUnitOfWork extends InMemoryUnitOfWork {
    // One repository per unit of work: it holds the staged work of one command.
    readonly accounts = this.track(new EventSourcedRepository(store, Account));
  }
  const bus = new CommandBus()
    .register(
      OpenAccount,
      async (cmd, uow) => {
        const account = Account.open(cmd.owner, 'EUR', ACCOUNT_ID);
        await uow.accounts.save(account);
        return { accountId: account.id };
      },
      { uow: () => new BankUnitOfWork() },
    )
    .register(
      Deposit,
      async (cmd, uow) => {
        const account = await uow.accounts.getById(cmd.accountId);
        if (account === undefined) throw new Error('no such account');
        account.deposit(cmd.amount);
        await uow.accounts.save(account);
        if (cmd.failAfterSave) throw new Error('handler failed after save');
      },
      { uow: () => new BankUnitOfWork() },
    );
  return { store, bus };
}

describe('EventSourcedRepository in a unit of work', () => {
  it('appends at commit with the command id and returns the committed events', async () => {
    const { store, bus } = setup();
    const open = new OpenAccount({ owner: 'ada' });
    const { result, events } = await bus.dispatch(open);
    expect(result).toEqual({ accountId: ACCOUNT_ID });
    expect(events.map((e) => [e.eventType, e.correlationId])).toEqual([
      ['AccountOpened', open.commandId],
    ]);
    const stored = (await store.readStream(`Account-${ACCOUNT_ID}`)).events;
    expect(stored.map((e) => e.metadata.commandId)).toEqual([open.commandId]);
    expect(stored[0]?.correlationId).toBe(open.commandId);
  });

  it('persists nothing when the handler throws after save', async () => {
    const { store, bus } = setup();
    await bus.send(new OpenAccount({ owner: 'ada' }));
    await expect(
      bus.send(new Deposit({ accountId: ACCOUNT_ID, amount: 5, failAfterSave: true })),
    ).rejects.toBeInstanceOf(CommandExecutionError);
    expect((await store.readStream(`Account-${ACCOUNT_ID}`)).version).toBe(1);

    const { events } = await bus.dispatch(new Deposit({ accountId: ACCOUNT_ID, amount: 2 }));
    expect(events.map((e) => e.payload())).toEqual([{ amount: 2 }]);
  });

  it('rejects a repeated command id with DuplicateCommandError, even against a fresh aggregate version', async () => {
    const { store, bus } = setup();
    await bus.send(new OpenAccount({ owner: 'ada' }));
    const deposit = new Deposit({ accountId: ACCOUNT_ID, amount: 5 });
    await bus.send(deposit);
    // The retry loads the aggregate afresh (version 2), so only the command id can catch it.
    const retry = new Deposit(
      { accountId: ACCOUNT_ID, amount: 5 },
      { commandId: deposit.commandId },
    );
    const error = await bus.send(retry).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandExecutionError);
    expect(error).toMatchObject({ causeCode: 'DUPLICATE_COMMAND' });
    expect((await store.readStream(`Account-${ACCOUNT_ID}`)).version).toBe(2);
  });
});

describe('snapshots in a unit of work', () => {
  it('are written only after the storage commit: a commit that fails after the append leaves none', async () => {
    const { InMemorySnapshotStore } = await import('@pd/eventsourcing');
    const store = new InMemoryEventStore();
    const snapshots = new InMemorySnapshotStore();
    const options = {
      snapshotStore: snapshots,
      snapshotPolicy: { shouldSnapshot: () => true },
    };

    const failing = new InMemoryUnitOfWork();
    const repository = failing.enlist(new EventSourcedRepository(store, Account, options));
    failing.onBeforeCommit(() => {
      throw new Error('storage commit refused');
    });
    await failing.begin({ commandId: 'cmd-1', correlationId: null, causationId: null });
    await repository.save(Account.open('ada', 'EUR', ACCOUNT_ID));
    await expect(failing.commit()).rejects.toThrow('storage commit refused');
    await failing.rollback();
    expect(await snapshots.get('Account', ACCOUNT_ID)).toBeUndefined();

    const ok = new InMemoryUnitOfWork();
    const other = ok.enlist(new EventSourcedRepository(new InMemoryEventStore(), Account, options));
    await ok.begin({ commandId: 'cmd-2', correlationId: null, causationId: null });
    await other.save(Account.open('ada', 'EUR', ACCOUNT_ID));
    await ok.commit();
    expect(await snapshots.get('Account', ACCOUNT_ID)).toMatchObject({ version: 1 });
  });
});

describe('one EventSourcedRepository shared by every unit of work', () => {
  it('keeps concurrent commands apart: a failing command appends nothing, the other only its own', async () => {
    const store = new InMemoryEventStore();
    const shared = new EventSourcedRepository(store, Account);
    class BankUnitOfWork extends InMemoryUnitOfWork {
      readonly accounts = this.track(shared); // created once, outside the uow factory
    }
    const other = '01890a5d-ac96-774b-bcce-b302099a8058';
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const bus = new CommandBus().register(
      OpenAccount,
      async (cmd, uow) => {
        const account = Account.open(cmd.owner, 'EUR', cmd.owner === 'fails' ? ACCOUNT_ID : other);
        await uow.accounts.save(account);
        if (cmd.owner === 'fails') {
          await gate; // the other command commits while this one has staged its save
          throw new Error('fails after save');
        }
        return { accountId: account.id };
      },
      { uow: () => new BankUnitOfWork() },
    );

    const failing = bus.send(new OpenAccount({ owner: 'fails' }));
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { events } = await bus.dispatch(new OpenAccount({ owner: 'ok' }));
    release();
    await expect(failing).rejects.toThrow(CommandExecutionError);

    expect(events.map((e) => e.eventType)).toEqual(['AccountOpened']);
    expect((await store.readAll()).events.map((e) => e.streamId)).toEqual([`Account-${other}`]);
  });
});
