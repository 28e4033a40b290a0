import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureVariant } from './harness/measure.js';
import {
  BEGIN_MARKER,
  END_MARKER,
  renderMarkdown,
  replaceSection,
  summariseCase,
} from './harness/report.js';
import type { CaseContext, VariantResult } from './harness/types.js';
import { allCases } from './workloads/index.js';

// Every case, both sides, at tiny sizes, in this process. PostgreSQL cases share one PGlite
// instance (opening one costs ~2.5 s); the server is never used here.
let pglite: PGlite;
let context: CaseContext;
const results = new Map<string, { pd: VariantResult; baseline: VariantResult }>();

beforeAll(async () => {
  pglite = await PGlite.create();
  context = { mode: 'smoke', pg: { kind: 'pglite', shared: pglite } };
}, 30_000);

afterAll(async () => {
  await pglite?.close();
});

describe('every bench case runs and checks its own result', () => {
  it.each(allCases.map((c) => [c.id, c] as const))('%s', async (_id, benchCase) => {
    // measureVariant throws when a run's verify step fails (a benchmark that measured nothing).
    const baseline = await measureVariant(benchCase, 'baseline', context, { warmup: 0, runs: 1 });
    const pd = await measureVariant(benchCase, 'pd', context, { warmup: 0, runs: 1 });
    for (const side of [baseline, pd]) {
      expect(side.units).toBeGreaterThan(0);
      expect(side.samplesMs).toHaveLength(1);
      expect(side.samplesMs[0]).toBeGreaterThan(0);
      expect(side.peakRssKb).toBeGreaterThan(0);
    }
    results.set(benchCase.id, { pd, baseline });
  });
});

describe('results section', () => {
  it('has one table row per case with a ratio, and replaces only the marked README section', () => {
    const cases = allCases.map((c) => {
      const sides = results.get(c.id);
      expect(sides, c.id).toBeDefined();
      return summariseCase(c, sides ?? {}, null);
    });
    for (const row of cases) expect(row.ratio).toBeGreaterThan(0);
    const markdown = renderMarkdown({
      generatedAt: '2026-01-01T00:00:00.000Z',
      mode: 'smoke',
      durationSeconds: 1,
      method: 'test',
      machine: {
        cpu: 'cpu',
        cores: 2,
        memoryGiB: 1,
        node: 'v20',
        platform: 'linux',
        loadAverage: { start: 0, end: 0 },
      },
      postgres: { kind: 'pglite', description: 'PGlite', version: 'x' },
      cases,
    });
    for (const c of allCases) expect(markdown).toContain(`| ${c.id} |`);
    const readme = `# title\n\nhand-written\n\n${BEGIN_MARKER}\nold table\n${END_MARKER}\n\nmore text\n`;
    const updated = replaceSection(readme, markdown);
    expect(updated).not.toContain('old table');
    expect(updated.startsWith('# title\n\nhand-written\n\n')).toBe(true);
    expect(updated.endsWith(`${END_MARKER}\n\nmore text\n`)).toBe(true);
  });
});
