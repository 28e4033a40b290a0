#!/usr/bin/env node
// Checks what we publish, after `pnpm build`:
//   1. publint and attw (are the types wrong?) for every packages/* that has a dist/;
//   2. an install test: `pnpm pack` the packages in INSTALL_TEST, `npm install` the tarballs into a
//      fresh directory outside the workspace, then load each one with require() and import() and
//      check that no third-party package other than ALLOWED_THIRD_PARTY was installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Packages installed from their tarballs, with exports that must exist under both loaders. */
const INSTALL_TEST = [
  { name: '@pd/ddd', exports: ['ValueObject'] },
  { name: '@pd/cqrs', exports: ['CommandBus'] },
  { name: '@pd/bus', exports: ['MessageBus'] },
  { name: '@pd/eventsourcing', exports: ['InMemoryEventStore'] },
  { name: '@pd/advanced', exports: ['SubscriptionRunner'] },
  { name: '@pd/testing', exports: ['eventStoreContract', 'aggregateSpec'] },
];
/** The only third-party packages a user may end up with. */
const ALLOWED_THIRD_PARTY = ['zod', 'uuidv7'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const failures = [];
let checks = 0;

function run(cmd, args, cwd) {
  try {
    const out = execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, out };
  } catch (error) {
    return { ok: false, out: `${error.stdout ?? ''}${error.stderr ?? ''}` || String(error) };
  }
}

function check(label, result) {
  checks += 1;
  if (result.ok) {
    console.log(`  ok    ${label}`);
  } else {
    console.log(`  FAIL  ${label}\n${result.out.replace(/^/gm, '        ')}`);
    failures.push(label);
  }
}

// --- 1. publint + attw ------------------------------------------------------------------------
const packagesDir = join(root, 'packages');
const pkgDirs = readdirSync(packagesDir)
  .map((n) => join(packagesDir, n))
  .filter((d) => existsSync(join(d, 'package.json')));
const dirByName = new Map(
  pkgDirs.map((d) => [JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).name, d]),
);

console.log('publint + attw');
for (const dir of pkgDirs) {
  const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!existsSync(join(dir, 'dist'))) {
    console.log(`  skip  ${name} (no dist; run pnpm build)`);
    continue;
  }
  check(`publint ${name}`, run(bin('publint'), ['--strict'], dir));
  // The default (strict) profile: node10, node16 CJS, node16 ESM and bundler must all resolve.
  check(`attw ${name}`, run(bin('attw'), ['--pack', '.', '--format', 'table-flipped'], dir));
}

// --- 2. install test with plain npm outside the workspace --------------------------------------
console.log('install test (npm, outside the workspace)');
const work = mkdtempSync(join(tmpdir(), 'pd-install-test-'));
try {
  const tarballs = {};
  for (const { name } of INSTALL_TEST) {
    const dir = dirByName.get(name);
    if (!dir || !existsSync(join(dir, 'dist'))) {
      check(`pack ${name}`, { ok: false, out: 'package or its dist/ not found' });
      continue;
    }
    const packed = run('pnpm', ['pack', '--pack-destination', work], dir);
    check(`pack ${name}`, packed);
    const file = readdirSync(work).find(
      (f) => f.startsWith(`${name.replace('@', '').replace('/', '-')}-`) && f.endsWith('.tgz'),
    );
    if (file) tarballs[name] = `file:${join(work, file)}`;
  }

  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  // overrides: a tarball that depends on another @pd package gets our tarball, not the registry.
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      { name: 'pd-install-test', private: true, dependencies: tarballs, overrides: tarballs },
      null,
      2,
    ),
  );
  check(
    `npm install ${Object.keys(tarballs).join(' ')}`,
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app),
  );

  for (const { name, exports } of INSTALL_TEST) {
    const probe = `
      const want = ${JSON.stringify(exports)};
      const cjs = require(${JSON.stringify(name)});
      import(${JSON.stringify(name)}).then((esm) => {
        for (const [kind, mod] of [['require', cjs], ['import', esm]]) {
          const keys = Object.keys(mod).filter((k) => k !== 'default' && k !== 'module.exports');
          if (keys.length === 0) throw new Error(kind + ': no exports');
          for (const w of want) if (mod[w] === undefined) throw new Error(kind + ': missing ' + w);
          console.log(kind + ': ' + keys.length + ' exports');
        }
      }).catch((e) => { console.error(e); process.exit(1); });`;
    const loaded = run('node', ['-e', probe], app);
    check(`require() and import() ${name}: ${loaded.out.trim().replace(/\n/g, ', ')}`, loaded);
  }

  // Every package under node_modules (nested ones too), minus our own.
  const installed = new Set();
  const walk = (nm) => {
    if (!existsSync(nm)) return;
    for (const entry of readdirSync(nm)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@')
        ? readdirSync(join(nm, entry)).map((s) => `${entry}/${s}`)
        : [entry];
      for (const n of names) {
        installed.add(n);
        walk(join(nm, n, 'node_modules'));
      }
    }
  };
  walk(join(app, 'node_modules'));
  const thirdParty = [...installed].filter((n) => !n.startsWith('@pd/')).sort();
  const extra = thirdParty.filter((n) => !ALLOWED_THIRD_PARTY.includes(n));
  check(`third-party packages installed: ${thirdParty.join(', ') || 'none'}`, {
    ok: extra.length === 0,
    out: `not allowed: ${extra.join(', ')}`,
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(
  failures.length === 0
    ? `check-packages: all ${checks} checks ok`
    : `check-packages: ${failures.length} of ${checks} checks FAILED (${failures.join('; ')})`,
);
process.exit(failures.length === 0 ? 0 : 1);
