import { InMemoryOutbox } from '@pd/bus';
import { FakeOutbox, outboxContract, registerContract, runContract } from '@pd/testing';
import { describe, expect, it } from 'vitest';
import { LeaselessOutbox } from './__fixtures__/brokenStores.js';

registerContract(
  outboxContract(({ leaseMs, clock }) => new InMemoryOutbox({ leaseMs, clock })),
  { describe, it },
);
registerContract(
  {
    ...outboxContract(({ leaseMs }) => new FakeOutbox({ leaseMs })),
    name: 'Outbox contract (FakeOutbox, system clock)',
  },
  { describe, it },
);

describe('outboxContract fails for broken outboxes', () => {
  it('reports an outbox whose claims take no lease', async () => {
    const report = await runContract(
      outboxContract(({ leaseMs }) => new LeaselessOutbox({ leaseMs })),
    );
    expect(report.failed.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'a claimed record is invisible to a second claimer until its lease expires',
        'concurrent claimers get disjoint records and together get every record once',
      ]),
    );
  });

  it('reports an outbox that ignores the lease it was asked for', async () => {
    const report = await runContract(outboxContract(() => new InMemoryOutbox({ leaseMs: 10 })));
    expect(report.failed.map((f) => f.name)).toContain(
      'a claimed record is invisible to a second claimer until its lease expires',
    );
  });
});

describe('contract fixtures', () => {
  it('run teardowns after every case, in reverse order, pass or fail', async () => {
    const log: string[] = [];
    const suite = outboxContract(({ leaseMs, onTeardown }) => {
      onTeardown(() => {
        log.push('first registered');
      });
      onTeardown(() => {
        log.push('second registered');
      });
      return new LeaselessOutbox({ leaseMs });
    });
    const report = await runContract(suite);
    expect(report.failed.length).toBeGreaterThan(0);
    expect(log).toHaveLength(suite.cases.length * 2);
    expect(log.slice(0, 2)).toEqual(['second registered', 'first registered']);
  });

  it('report a failing teardown as a failure of its case', async () => {
    const suite = outboxContract(({ leaseMs, onTeardown }) => {
      onTeardown(() => {
        throw new Error('could not drop schema');
      });
      return new InMemoryOutbox({ leaseMs });
    });
    const report = await runContract(suite);
    expect(report.passed).toEqual([]);
    expect(report.failed[0]?.error).toBeInstanceOf(Error);
    expect((report.failed[0]?.error as Error | undefined)?.message).toBe('could not drop schema');
  });
});
