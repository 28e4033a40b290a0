// `pnpm bench`: runs every case, pd and baseline each in a fresh child process, then writes
// results/latest.json and the table section of README.md. Environment:
//   BENCH_QUICK=1          tiny sizes, 3 runs: checks the pipeline in seconds; writes
//                          results/quick.tmp and leaves README.md and latest.json alone
//   PD_BENCH_ONLY=a,b      only these case ids (written to results/partial.tmp)
//   PD_POSTGRES_URL=…      PostgreSQL workloads on this server (default: embedded PGlite)
// `node dist/run.js --report-only` regenerates the README section from results/latest.json.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeTarget, pgTargetFromEnv } from './harness/database.js';
import {
  type BenchResults,
  type CaseSummary,
  type PostgresInfo,
  renderMarkdown,
  replaceSection,
  summariseCase,
} from './harness/report.js';
import type { BenchCase, Mode, Variant, VariantResult } from './harness/types.js';
import { allCases } from './workloads/index.js';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const latestPath = join(benchDir, 'results', 'latest.json');
const readmePath = join(benchDir, 'README.md');

const METHOD =
  'each side of each row runs in 2 fresh `node --expose-gc` processes, in the order baseline, pd, pd, baseline; each process makes 1 untimed warm-up run, then 3 timed runs (2 in quick mode), and the 6 (4) timed runs of a side are pooled; ' +
  'a run is timed with `performance.now()` around the work only (inputs are built and results checked outside the timing, with a GC before each run). ' +
  'Rates are units/s per run; the table gives the median run and the slowest–fastest run. Ratio = median pd rate / median baseline rate (1.0 = no overhead). ' +
  'Peak RSS is VmHWM of /proc/self/status of each process (its own high-water mark over warm-up and runs, inputs included), the larger of the 2 processes.';

function writeReadme(results: BenchResults): void {
  const readme = readFileSync(readmePath, 'utf8');
  writeFileSync(readmePath, replaceSection(readme, renderMarkdown(results)));
}

if (process.argv.includes('--report-only')) {
  writeReadme(JSON.parse(readFileSync(latestPath, 'utf8')) as BenchResults);
  console.log(`README.md regenerated from ${latestPath}`);
  process.exit(0);
}

const mode: Mode = process.env.BENCH_QUICK === '1' ? 'quick' : 'full';
/**
 * Each side runs in PASSES fresh processes, in the order baseline, pd, pd, baseline (ABBA), so a
 * load change on the shared machine during a row hits both sides alike; the samples are pooled.
 */
const PASSES: readonly Variant[] = ['baseline', 'pd', 'pd', 'baseline'];
const RUNS_PER_PASS = mode === 'quick' ? 2 : 3;

const only = (process.env.PD_BENCH_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const cases = only.length === 0 ? allCases : allCases.filter((c) => only.includes(c.id));
const target = pgTargetFromEnv();

/** Runs one side in a child process and returns its result (or throws with its stderr). */
function runChild(benchCase: BenchCase, variant: Variant): Promise<VariantResult> {
  return runInChild([benchCase.id, variant, mode, String(RUNS_PER_PASS)]);
}

/** Runs `dist/child.js` with `args` and parses its `RESULT <json>` line. */
function runInChild<T>(args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', join(benchDir, 'dist', 'child.js'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice('RESULT '.length)) as T);
      } else {
        reject(new Error(`exit ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
      }
    });
  });
}

const started = Date.now();
const loadStart = os.loadavg()[0] ?? 0;
const usesPostgres = cases.some((c) => c.postgres);
const postgres: PostgresInfo = usesPostgres
  ? await runInChild<PostgresInfo>(['--pg-info'])
  : { kind: target.kind, description: describeTarget(target), version: 'not used' };
console.error(`pd bench (${mode}): ${cases.length} cases; PostgreSQL: ${postgres.description}`);

function pool(a: VariantResult | undefined, b: VariantResult): VariantResult {
  if (a === undefined) return b;
  const phasesMs: Record<string, number[]> = {};
  for (const source of [a.phasesMs, b.phasesMs]) {
    for (const [name, values] of Object.entries(source)) {
      phasesMs[name] = [...(phasesMs[name] ?? []), ...values];
    }
  }
  return {
    ...a,
    samplesMs: [...a.samplesMs, ...b.samplesMs],
    phasesMs,
    rssBeforeKb: Math.max(a.rssBeforeKb, b.rssBeforeKb),
    peakRssKb: Math.max(a.peakRssKb, b.peakRssKb),
  };
}

const summaries: CaseSummary[] = [];
let failures = 0;
for (const [index, benchCase] of cases.entries()) {
  const sides: Partial<Record<Variant, VariantResult>> = {};
  let error: string | null = null;
  for (const variant of PASSES) {
    const t0 = Date.now();
    process.stderr.write(`[${index + 1}/${cases.length}] ${benchCase.id} ${variant} … `);
    try {
      sides[variant] = pool(sides[variant], await runChild(benchCase, variant));
      process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    } catch (e) {
      error = `${variant}: ${(e as Error).message}`;
      failures += 1;
      process.stderr.write(`FAILED ${(e as Error).message}\n`);
      break;
    }
  }
  const summary = summariseCase(benchCase, error === null ? sides : {}, error);
  summaries.push(summary);
  if (summary.ratio !== null) {
    console.error(
      `    ratio ${summary.ratio.toFixed(3)}${summary.target === null ? '' : ` (target ≥ ${summary.target}: ${summary.met ? 'met' : 'MISSED'})`}`,
    );
  }
}

const cpus = os.cpus();
const results: BenchResults = {
  generatedAt: new Date().toISOString(),
  mode,
  durationSeconds: (Date.now() - started) / 1000,
  method: METHOD,
  machine: {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: { start: loadStart, end: os.loadavg()[0] ?? 0 },
  },
  postgres,
  cases: summaries,
};

const json = `${JSON.stringify(results, null, 2)}\n`;
if (mode === 'full' && only.length === 0) {
  writeFileSync(latestPath, json);
  writeReadme(results);
  console.error(`wrote ${latestPath} and the README.md table`);
} else {
  const path = join(benchDir, 'results', mode === 'quick' ? 'quick.tmp' : 'partial.tmp');
  writeFileSync(path, json);
  console.log(renderMarkdown(results));
  console.error(`wrote ${path} (README.md and latest.json untouched)`);
}
process.exitCode = failures > 0 ? 1 : 0;
