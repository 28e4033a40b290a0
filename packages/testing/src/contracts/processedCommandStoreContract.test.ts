import { InMemoryProcessedCommandStore } from '@pd/cqrs';
import {
  FakeProcessedCommandStore,
  processedCommandStoreContract,
  registerContract,
  runContract,
} from '@pd/testing';
import { describe, expect, it } from 'vitest';
import { EveryoneWinsProcessedCommandStore } from './__fixtures__/brokenStores.js';

registerContract(
  processedCommandStoreContract(() => new InMemoryProcessedCommandStore()),
  {
    describe,
    it,
  },
);
registerContract(
  {
    ...processedCommandStoreContract(() => new FakeProcessedCommandStore()),
    name: 'ProcessedCommandStore contract (FakeProcessedCommandStore)',
  },
  { describe, it },
);

describe('processedCommandStoreContract fails for broken stores', () => {
  it('reports a store where every claimer wins', async () => {
    const report = await runContract(
      processedCommandStoreContract(() => new EveryoneWinsProcessedCommandStore()),
    );
    expect(report.failed.map((f) => f.name)).toEqual([
      'the first claim wins; a second claim sees the command in flight',
      'concurrent claims of one command id: exactly one is claimed',
    ]);
  });
});
