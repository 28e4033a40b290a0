import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from './demo.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pd-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('pnpm demo', () => {
  it('continues from the stored data on a second run instead of starting over', async () => {
    const out: string[] = [];
    const write = (text: string) => void out.push(text);

    const first = await runDemo({ dataDir, write });
    expect(first.run).toBe(1);
    expect(first.eventsBefore).toBe(0);
    expect(first.legacyImported).toBe(2);
    expect(first.board.rows).toBe(7); // 2 imported + 5 placed
    expect(first.sagas).toMatchObject({ completed: 6, failed: 1 });
    expect(first.storedSagas).toEqual({ COMPLETED: 6, COMPENSATED: 1 });
    expect(out.join('')).toContain('Run 1 — fresh data');

    out.length = 0;
    const second = await runDemo({ dataDir, write });
    expect(second.run).toBe(2);
    expect(second.eventsBefore).toBe(first.eventsAfter); // nothing was lost or started over
    expect(second.eventsAfter).toBeGreaterThan(first.eventsAfter);
    expect(second.legacyImported).toBe(0);
    // The board resumed from its checkpoint: it applied only this run's order events...
    expect(second.boardResumedFrom).toBeGreaterThan(0);
    expect(second.boardDelivered).toBeLessThan(second.eventsAfter - first.eventsAfter);
    // ...and holds exactly one row per order ever placed: no duplicates, nothing missing.
    expect(second.board.rows).toBe(12);
    expect(second.board.rows).toBe(second.ordersInStore);
    expect(second.board.byStatus).toEqual({ paid: 10, cancelled: 2 });
    expect(second.snapshots).toBeGreaterThan(first.snapshots);
    // Saga states are stored too: the first run's sagas are still there, finished, and none ran twice.
    expect(second.sagas).toMatchObject({ completed: 4, failed: 1, other: 0 });
    expect(second.storedSagas).toEqual({ COMPLETED: 10, COMPENSATED: 2 });
    expect(out.join('')).toContain('Run 2 — continued from the stored data');
  }, 120_000);

  it('starts over with reset', async () => {
    const again = await runDemo({ dataDir, reset: true, write: () => {} });
    expect(again.run).toBe(1);
    expect(again.eventsBefore).toBe(0);
  }, 60_000);
});
