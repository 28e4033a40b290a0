#!/usr/bin/env node
// Creates a workspace package from the pd template and registers it in the root tsconfig.
//
//   node scripts/new-package.mjs <name> <description> [dep…] [--no-src] [--force]
//
//   <name>         folder under packages/ and the @pd/<name> package name (e.g. cqrs)
//   <description>  one line for package.json and the README stub
//   [dep…]         lower pd packages this one imports (`ddd` or `@pd/ddd`); each becomes a
//                  `workspace:*` dependency and a tsconfig project reference
//   --no-src       do not create src/index.ts (used for packages whose sources already exist)
//   --force        overwrite template files that already exist (never touches src/)
//
// Existing files are left alone unless --force is given. Run `pnpm install` afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const [name, description, ...rawDeps] = args.filter((a) => !a.startsWith('--'));

if (!name || !description || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: node scripts/new-package.mjs <name> <description> [dep…] [--no-src]');
  process.exit(2);
}

const deps = rawDeps.map((d) => d.replace(/^@pd\//, ''));
for (const dep of deps) {
  if (!existsSync(join(root, 'packages', dep, 'package.json'))) {
    console.error(`unknown dependency: @pd/${dep} (no packages/${dep}/package.json)`);
    process.exit(2);
  }
}

const pkgDir = join(root, 'packages', name);
const force = flags.has('--force');
const written = [];
const skipped = [];
const toFormat = [];

function write(rel, content) {
  const file = join(pkgDir, rel);
  if (existsSync(file) && !force) {
    skipped.push(rel);
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  written.push(rel);
  toFormat.push(file);
}

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

const pkg = {
  name: `@pd/${name}`,
  version: '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  files: ['dist'],
  exports: {
    '.': {
      '@pd/source': './src/index.ts',
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  engines: { node: '>=20' },
  scripts: {
    build: 'tsup',
    typecheck: 'tsc -b',
    test: 'vitest run --reporter=default --reporter=json --outputFile.json=.reports/vitest.json',
    lint: 'biome ci .',
  },
  dependencies: {
    ...Object.fromEntries(deps.map((d) => [`@pd/${d}`, 'workspace:*'])),
    uuidv7: '^1.2.1',
    zod: '^4.6.7',
  },
};

const tsconfig = {
  extends: '../../tsconfig.base.json',
  compilerOptions: {
    rootDir: 'src',
    outDir: 'build-tsc',
    // Keep the build info inside build-tsc: by default TS 6 writes it next to tsconfig.json, and
    // deleting build-tsc alone then leaves tsc -b thinking the outputs are up to date.
    tsBuildInfoFile: 'build-tsc/tsconfig.tsbuildinfo',
  },
  include: ['src'],
  ...(deps.length > 0 ? { references: deps.map((d) => ({ path: `../${d}` })) } : {}),
};

write('package.json', json(pkg));
write('tsconfig.json', json(tsconfig));
write(
  'tsup.config.ts',
  `import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
`,
);
write(
  'vitest.config.ts',
  `import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(shared, defineProject({ test: { name: '@pd/${name}' } }));
`,
);
write(
  'README.md',
  `# @pd/${name}

${description}

\`\`\`sh
npm install @pd/${name}
\`\`\`

Part of [pd](../../README.md).
`,
);
if (!flags.has('--no-src')) write('src/index.ts', 'export {};\n');

// Register the package in the root solution tsconfig (kept sorted by path).
const rootTsconfigPath = join(root, 'tsconfig.json');
const rootTsconfig = JSON.parse(readFileSync(rootTsconfigPath, 'utf8'));
const refs = rootTsconfig.references ?? [];
const refPath = `./packages/${name}`;
if (!refs.some((r) => r.path === refPath)) {
  refs.push({ path: refPath });
  refs.sort((a, b) => a.path.localeCompare(b.path));
  rootTsconfig.references = refs;
  writeFileSync(rootTsconfigPath, json(rootTsconfig));
  written.push('(root) tsconfig.json reference');
  toFormat.push(rootTsconfigPath);
}

// Let Biome lay out the generated JSON/TS so `biome ci` passes straight away.
if (toFormat.length > 0) {
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'biome'), ['format', '--write', ...toFormat], {
      stdio: 'ignore',
    });
  } catch {
    console.warn('biome format failed or is not installed; run `pnpm format`');
  }
}

console.log(`@pd/${name}: wrote ${written.join(', ') || 'nothing'}`);
if (skipped.length > 0) console.log(`@pd/${name}: kept existing ${skipped.join(', ')}`);
console.log(
  'next: pnpm install; once it exports something, add it to INSTALL_TEST in scripts/check-packages.mjs',
);
