import { fromPgPool, PostgresLockProvider, type SqlExecutor } from '@pd/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSchema, serverPool, serverUrl, warnWithoutServer } from '../testSupport/backends.js';

warnWithoutServer('the advisory-lock tests');

describe.skipIf(serverUrl === undefined)('PostgresLockProvider across connections (server)', () => {
  // Two pools stand for two processes.
  let a: SqlExecutor;
  let b: SqlExecutor;
  let schema: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    a = fromPgPool(serverPool(6), { ownsPool: true });
    b = fromPgPool(serverPool(6), { ownsPool: true });
    ({ schema, drop } = await freshSchema(a, 'lock'));
  });
  afterAll(async () => {
    await drop();
    await a.close();
    await b.close();
  });

  it('one holder at a time: read-modify-write under the lock loses no update', async () => {
    await a.query(`CREATE TABLE "${schema}".counter (n int NOT NULL)`);
    await a.query(`INSERT INTO "${schema}".counter VALUES (0)`);
    const providers = [
      new PostgresLockProvider(a, { schema }),
      new PostgresLockProvider(b, { schema }),
    ];
    let inside = 0;
    let maxInside = 0;
    const rounds = 15;
    await Promise.all(
      [0, 1, 2, 3].map(async (worker) => {
        const locks = providers[worker % 2] as PostgresLockProvider;
        const db = worker % 2 === 0 ? a : b;
        for (let i = 0; i < rounds; i++) {
          await locks.acquire('counter');
          inside += 1;
          maxInside = Math.max(maxInside, inside);
          const [row] = await db.query<{ n: number }>(`SELECT n FROM "${schema}".counter`);
          await db.query(`UPDATE "${schema}".counter SET n = $1`, [(row?.n ?? 0) + 1]);
          inside -= 1;
          await locks.release('counter');
        }
      }),
    );
    expect(maxInside).toBe(1);
    expect(await a.query(`SELECT n FROM "${schema}".counter`)).toEqual([{ n: 4 * rounds }]);
  });

  it('a second process times out while the first holds the key, then gets it', async () => {
    const first = new PostgresLockProvider(a, { schema });
    const second = new PostgresLockProvider(b, { schema });
    await first.acquire('order-7');
    await expect(second.acquire('order-7', { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
      key: 'order-7',
    });
    const waiting = second.acquire('order-7', { timeoutMs: 5000 });
    await first.release('order-7');
    await waiting;
    await second.release('order-7');
    // Keys are namespaced by schema: another namespace does not contend.
    await first.acquire('order-7');
    const elsewhere = new PostgresLockProvider(b, { schema: `${schema}_other` });
    await elsewhere.acquire('order-7', { timeoutMs: 100 });
    await elsewhere.releaseAll();
    await first.releaseAll();
  });
});
