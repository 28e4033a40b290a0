import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('@pd/advanced/saga exports', () => {
  it('exposes exactly the documented runtime API', async () => {
    const names = Object.keys(await import('@pd/advanced/saga')).sort();
    expect(names).toEqual([
      'CommandTypeRegistry',
      'ConsoleSagaLogger',
      'InMemorySagaRepository',
      'InProcessSagaLock',
      'KeepForeverRetentionPolicy',
      'MaxAgeRetentionPolicy',
      'SAGA_STATUSES',
      'Saga',
      'SagaConfigurationError',
      'SagaError',
      'SagaHandlerNotFoundError',
      'SagaManager',
      'SagaProcessingError',
      'SagaRecoveryWorker',
      'SagaRegistry',
      'SagaRetentionWorker',
      'SagaState',
      'SagaStateError',
      'SagaStatus',
      'SagaTimeoutWorker',
      'StepThresholdPruningPolicy',
      'USE_DEFAULT_TIMEOUT',
      'canRemoveFinishedSagas',
      'isTerminalStatus',
    ]);
  });

  it('imports only @pd/ddd, @pd/cqrs, @pd/bus and zod: a saga user need not adopt event sourcing', () => {
    const dir = dirname(fileURLToPath(import.meta.url));
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.includes('.test'));
    const specifiers = new Set<string>();
    for (const file of sources) {
      for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)) {
        if (!match[1]?.startsWith('.')) specifiers.add(match[1] ?? '');
      }
    }
    expect([...specifiers].sort()).toEqual([
      '@pd/bus',
      '@pd/cqrs',
      '@pd/ddd',
      'node:async_hooks',
      'zod',
    ]);
  });
});
