import { FixedClock } from '@pd/ddd';
import {
  fromPgPool,
  PostgresOutbox,
  PostgresProcessedCommandStore,
  type SqlExecutor,
} from '@pd/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSchema, serverPool, serverUrl, warnWithoutServer } from '../testSupport/backends.js';
import { deposits } from '../testSupport/events.js';

warnWithoutServer('the concurrent outbox and idempotency tests');

describe.skipIf(serverUrl === undefined)('outbox relays and command claims racing (server)', () => {
  let db: SqlExecutor;
  let schema: string;
  let drop: () => Promise<void>;
  const clock = new FixedClock('2026-03-01T10:00:00.000Z');

  beforeAll(async () => {
    db = fromPgPool(serverPool(12), { ownsPool: true });
    ({ schema, drop } = await freshSchema(db, 'obx'));
  });
  afterAll(async () => {
    await drop();
    await db.close();
  });

  it('concurrent relays publish each record once per successful claim', async () => {
    const outbox = new PostgresOutbox(db, { schema, clock });
    const events = deposits(300);
    for (let i = 0; i < events.length; i += 50) {
      await outbox.write(events.slice(i, i + 50), {
        commandId: `c-${i}`,
        correlationId: null,
        causationId: null,
      });
    }
    const published: string[] = [];
    const relay = async () => {
      for (;;) {
        const batch = await outbox.claim(7, clock.now());
        if (batch.length === 0) return;
        for (const record of batch) published.push(record.eventId);
        await outbox.markSent(batch.map((r) => r.id));
      }
    };
    await Promise.all(Array.from({ length: 6 }, relay));
    expect(published).toHaveLength(events.length);
    expect(new Set(published)).toEqual(new Set(events.map((e) => e.eventId)));
    expect(await outbox.pending()).toEqual([]);
  });

  it('exactly one of many concurrent claims of a command id wins', async () => {
    const store = new PostgresProcessedCommandStore(db, { schema, clock });
    const results = await Promise.all(Array.from({ length: 10 }, () => store.claim('cmd-race')));
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r === 'in-flight')).toHaveLength(9);
  });
});
