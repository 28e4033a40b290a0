// The published form, used for real: pack @pd/testing and the levels it needs, install the
// tarballs with plain npm into a scratch project outside the workspace, and run a user's own
// event store through eventStoreContract plus a given/when/then aggregate spec under node:test.
// Slow-ish (pack + npm install): the one test here that is not in-process.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventStoreContract } from '@pd/testing';
import { expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(here, '..', '..');
const root = join(packagesDir, '..');
/** @pd/testing and every level it depends on, lowest first (the build order). */
const PACKAGES = ['ddd', 'cqrs', 'bus', 'eventsourcing', 'advanced', 'testing'];
const FIXTURES = ['mapEventStore.mjs', 'eventStore.test.mjs', 'account.test.mjs'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!/\.test(-d)?\.ts$/.test(entry.name))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds a package when its dist is missing or older than its sources (a fresh clone, an edit). */
function ensureBuilt(name: string): void {
  const dir = join(packagesDir, name);
  const outputs = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts'].map((f) => join(dir, f));
  const built = outputs.every(existsSync)
    ? Math.min(...outputs.map((f) => statSync(f).mtimeMs))
    : 0;
  const inputs = Math.max(
    newestSource(join(dir, 'src')),
    ...['package.json', 'tsup.config.ts'].map((f) => statSync(join(dir, f)).mtimeMs),
  );
  if (built > inputs) return;
  execFileSync('pnpm', ['--filter', `@pd/${name}`, 'run', 'build'], { cwd: root, stdio: 'pipe' });
}

function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
): { status: number | null; output: string } {
  const result = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

it('runs eventStoreContract and an aggregate spec from the packed packages under node:test', async () => {
  for (const name of PACKAGES) ensureBuilt(name);
  const work = mkdtempSync(join(tmpdir(), 'pd-testing-packed-'));
  try {
    const tarballs: Record<string, string> = {};
    for (const name of PACKAGES) {
      execFileSync('pnpm', ['pack', '--pack-destination', work], {
        cwd: join(packagesDir, name),
        stdio: 'pipe',
      });
      const file = readdirSync(work).find((f) => f.startsWith(`pd-${name}-`) && f.endsWith('.tgz'));
      if (file === undefined) throw new Error(`pnpm pack wrote no tarball for @pd/${name}`);
      tarballs[`@pd/${name}`] = `file:${join(work, file)}`;
    }
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'pd-testing-packed',
        private: true,
        type: 'module',
        dependencies: { ...tarballs, zod: '^4.6.7' },
        // A tarball that depends on another @pd package gets our tarball, not the registry.
        overrides: tarballs,
      }),
    );
    const install = run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
      app,
    );
    expect(install.status, install.output).toBe(0);
    for (const file of FIXTURES)
      copyFileSync(join(here, '__fixtures__', 'packed', file), join(app, file));

    const tests = run(process.execPath, ['--test', 'eventStore.test.mjs', 'account.test.mjs'], app);
    expect(tests.status, tests.output).toBe(0);
    const count = (label: string) =>
      Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(tests.output)?.[1]);
    const contractCases = eventStoreContract(() => {
      throw new Error('not called');
    }).cases.length;
    expect(count('fail'), tests.output).toBe(0);
    expect(count('pass'), 'every contract case and the 3 aggregate specs ran and passed').toBe(
      contractCases + 3,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 240_000);
