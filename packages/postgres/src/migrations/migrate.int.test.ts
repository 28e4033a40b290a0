import {
  connect,
  fromPgPool,
  LATEST_SCHEMA_VERSION,
  migrate,
  runCli,
  type SqlExecutor,
} from '@pd/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSchema, serverPool, serverUrl, warnWithoutServer } from '../testSupport/backends.js';

warnWithoutServer('the migration and CLI tests');

describe.skipIf(serverUrl === undefined)('migrate on a server', () => {
  let db: SqlExecutor;
  const schemas: string[] = [];

  beforeAll(() => {
    db = fromPgPool(serverPool(10), { ownsPool: true });
  });
  afterAll(async () => {
    for (const schema of schemas) await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.close();
  });

  it('is safe to run from several connections at once: exactly one applies', async () => {
    const schema = randomSchema('mig');
    schemas.push(schema);
    const results = await Promise.all(Array.from({ length: 6 }, () => migrate(db, { schema })));
    const applying = results.filter((r) => r.applied.length > 0);
    expect(applying).toHaveLength(1);
    expect(applying[0]?.applied).toEqual(
      Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1),
    );
    expect(results.every((r) => r.version === LATEST_SCHEMA_VERSION)).toBe(true);
  });

  it('pd-postgres migrate uses --url/--schema or PD_POSTGRES_URL', async () => {
    const schema = randomSchema('cli');
    schemas.push(schema);
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      env: { PD_POSTGRES_URL: serverUrl },
    };
    expect(await runCli(['migrate', '--schema', schema], io)).toBe(0);
    expect(
      await runCli(['migrate', `--url=${serverUrl}`, `--schema=${schema}`], { ...io, env: {} }),
    ).toBe(0);
    expect(out).toEqual([
      `schema ${schema}: applied 1, 2, 3, 4 (now version ${LATEST_SCHEMA_VERSION})`,
      `schema ${schema} is up to date (version ${LATEST_SCHEMA_VERSION})`,
    ]);
    expect(await runCli(['migrate', '--schema', 'Bad-Name'], io)).toBe(1);
    expect(err.at(-1)).toMatch(/^VALIDATION: /);
    expect(await runCli(['migrate'], { ...io, env: {} })).toBe(1);
    expect(err.at(-1)).toMatch(/POSTGRES_CONFIG: .*PD_POSTGRES_URL/);
    expect(await runCli(['frobnicate'], io)).toBe(2);
  });

  it('connect() reads PD_POSTGRES_URL and applies the statement timeout', async () => {
    const pool = await connect({
      env: { PD_POSTGRES_URL: serverUrl },
      poolSize: 2,
      statementTimeoutMs: 50,
    });
    try {
      await expect(pool.query('SELECT pg_sleep(1)')).rejects.toMatchObject({ code: '57014' });
      expect(await pool.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await pool.close();
    }
    await expect(connect({ env: {} })).rejects.toMatchObject({ code: 'POSTGRES_CONFIG' });
    await expect(connect({ url: 'mysql://x' })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'url',
    });
  });
});
