#!/usr/bin/env node
// Checks what we publish, after `pnpm build`:
//   1. publint and attw (are the types wrong?) for every packages/* that has a dist/;
//   2. an install test: `pnpm pack` the packages in INSTALL_TEST, `npm install` the tarballs into a
//      fresh directory outside the workspace, then load each one with require() and import() and
//      check, package by package, which third-party packages it pulls in: only ALLOWED_THIRD_PARTY,
//      plus the packages an entry declares in `allowThirdParty` together with everything those
//      pull in themselves.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Packages installed from their tarballs, with exports that must exist under both loaders.
 * `allowThirdParty`: third-party packages this entry may also depend on; their own dependencies
 * (transitively, as npm installed them) are allowed for this entry too. Level packages declare none.
 */
const INSTALL_TEST = [
  { name: '@pd/ddd', exports: ['ValueObject'] },
  { name: '@pd/cqrs', exports: ['CommandBus'] },
  { name: '@pd/bus', exports: ['MessageBus'] },
  { name: '@pd/eventsourcing', exports: ['InMemoryEventStore'] },
  { name: '@pd/advanced', exports: ['SubscriptionRunner'] },
  { name: '@pd/testing', exports: ['eventStoreContract', 'aggregateSpec'] },
  // node-postgres and what it needs; PGlite is an optional peer and must not be installed.
  {
    name: '@pd/postgres',
    exports: ['PostgresEventStore', 'PostgresSagaRepository', 'migrate'],
    allowThirdParty: ['pg'],
  },
];
/** The only third-party packages a level package may bring to a user. */
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
  const isThirdParty = (n) => !n.startsWith('@pd/');

  // Node's resolution: the nearest node_modules/<name> from `fromDir` up to the app.
  const resolveDir = (name, fromDir) => {
    for (let dir = fromDir; dir.startsWith(app); dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      if (dir === app) break;
    }
    return undefined;
  };
  // Every package `name` (resolved from `fromDir`) pulls in, itself included, as npm installed them.
  const closure = (name, fromDir, seen = new Map()) => {
    const dir = resolveDir(name, fromDir);
    if (dir === undefined || seen.has(dir)) return seen;
    seen.set(dir, name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const deps = {
      ...manifest.peerDependencies,
      ...manifest.optionalDependencies,
      ...manifest.dependencies,
    };
    for (const dep of Object.keys(deps)) closure(dep, dir, seen);
    return seen;
  };
  const namesOf = (seen) => new Set(seen.values());

  const allowedAnywhere = new Set(ALLOWED_THIRD_PARTY);
  for (const { name, allowThirdParty = [] } of INSTALL_TEST) {
    const pkgDir = resolveDir(name, app);
    if (pkgDir === undefined) continue; // the install failed: reported above
    const allowed = new Set(ALLOWED_THIRD_PARTY);
    for (const root of allowThirdParty) {
      for (const n of namesOf(closure(root, pkgDir))) allowed.add(n);
    }
    for (const n of allowed) allowedAnywhere.add(n);
    const pulled = [...namesOf(closure(name, app))].filter(isThirdParty).sort();
    const extra = pulled.filter((n) => !allowed.has(n));
    check(`third-party packages of ${name}: ${pulled.join(', ') || 'none'}`, {
      ok: extra.length === 0,
      out: `not allowed: ${extra.join(', ')}`,
    });
  }

  const thirdParty = [...installed].filter(isThirdParty).sort();
  const extra = thirdParty.filter((n) => !allowedAnywhere.has(n));
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
