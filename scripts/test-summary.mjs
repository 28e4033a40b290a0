#!/usr/bin/env node
// Runs the test pipeline and closes it with one aggregate line over all workspace packages:
//
//   123 passed, 0 failed, 2 skipped
//
// Each package's `test` script writes `<pkg>/.reports/vitest.json` (vitest's json reporter); this
// script sums those reports.
//
//   node scripts/test-summary.mjs          only sum the reports that exist
//   node scripts/test-summary.mjs --run    delete old reports, `turbo run test --continue` (every
//                                          package, even after a failure), then sum
//   node scripts/test-summary.mjs --all    first run the checks in CHECKS (build, typecheck, lint,
//                                          check-packages; each continues after a failure), then
//                                          as --run. This is `pnpm test`.
//
// "passed" and "skipped" count vitest tests (unit + type tests). "failed" counts failed tests,
// test files that failed to load, and every failed check or problem (a failed lint is a failed
// run, so the closing line must never read "0 failed" then). Exits non-zero if anything failed or
// no test ran. The summary line is always the last line printed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPORT = join('.reports', 'vitest.json');

/** Workspace package dirs (mirrors pnpm-workspace.yaml: packages/*, examples/*, bench). */
function workspaceDirs() {
  const dirs = [];
  for (const group of ['packages', 'examples']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push(join(base, entry.name));
    }
  }
  dirs.push(join(root, 'bench'));
  return dirs.filter((d) => existsSync(join(d, 'package.json')));
}

function hasTestScript(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return typeof pkg.scripts?.test === 'string';
}

/** Root scripts run before the tests by --all, in order. */
const CHECKS = ['build', 'typecheck', 'lint', 'check:packages'];

const dirs = workspaceDirs();
const problems = [];
const checkResults = [];
const all = process.argv.includes('--all');
let turboStatus = 0;

if (all) {
  for (const script of CHECKS) {
    console.log(`\n> pnpm run ${script}`);
    const started = Date.now();
    const r = spawnSync('pnpm', ['run', script], { cwd: root, stdio: 'inherit' });
    const ok = r.status === 0;
    checkResults.push({ script, ok, seconds: (Date.now() - started) / 1000 });
    if (!ok) problems.push(`pnpm run ${script} failed (exit ${r.status ?? r.signal})`);
  }
}

if (all || process.argv.includes('--run')) {
  console.log('\n> turbo run test --continue');
  for (const dir of dirs) rmSync(join(dir, '.reports'), { recursive: true, force: true });
  const turbo = spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--continue'], {
    cwd: root,
    stdio: 'inherit',
    env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env },
  });
  turboStatus = turbo.status ?? turbo.signal;
}

const totals = { passed: 0, failed: 0, skipped: 0, files: 0 };
const rows = [];
for (const dir of dirs) {
  const name = relative(root, dir);
  const file = join(dir, REPORT);
  if (!existsSync(file)) {
    if (hasTestScript(dir)) problems.push(`${name}: no report at ${REPORT}`);
    continue;
  }
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push(`${name}: unreadable report (${error.message})`);
    continue;
  }
  const passed = report.numPassedTests ?? 0;
  // A test file that fails to load has no failing test but counts as a failed suite.
  const brokenFiles = (report.testResults ?? []).filter(
    (r) => r.status === 'failed' && (r.assertionResults ?? []).every((a) => a.status !== 'failed'),
  ).length;
  const failed = (report.numFailedTests ?? 0) + brokenFiles;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const files = (report.testResults ?? []).length;
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  totals.files += files;
  rows.push({ name, passed, failed, skipped, files });
  if (brokenFiles > 0) console.log(`${name}: ${brokenFiles} test file(s) failed to load`);
}
// A failed test run is usually explained by the failed tests counted above; count it only if not.
if (turboStatus !== 0 && totals.failed === 0) {
  problems.push(`turbo run test exited with ${turboStatus}`);
}

console.log('');
console.log('Test summary');
for (const c of checkResults) {
  console.log(
    `  ${`pnpm run ${c.script}`.padEnd(28)} ${c.ok ? 'ok' : 'FAILED'} (${c.seconds.toFixed(1)} s)`,
  );
}
for (const r of rows) {
  console.log(
    `  ${r.name.padEnd(28)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(4)} failed ${String(r.skipped).padStart(4)} skipped  (${r.files} files)`,
  );
}
if (totals.passed + totals.failed === 0) problems.push('no tests ran');
for (const p of problems) console.log(`  problem: ${p}`);

// Each problem (failed check, missing report, unexplained failed test run, no tests at all)
// counts as one failure, so a red run never closes with "0 failed".
const failed = totals.failed + problems.length;
const ok = failed === 0;
// Bare on purpose: CI looks for a closing line of exactly this form.
console.log(`${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped`);
process.exit(ok ? 0 : 1);
