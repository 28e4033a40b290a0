// dependency-cruiser: architecture rules for the pd packages.
// Run: pnpm exec depcruise packages --config .dependency-cruiser.cjs (part of `pnpm lint`).

/** Adoption levels, lowest first. A level may import any lower level, never a higher one. */
const LEVELS = ['ddd', 'cqrs', 'bus', 'eventsourcing', 'advanced'];
/** Packages that may import every level but that no level package may import. */
const TOP = ['testing', 'postgres'];

const pkg = (name) => `^packages/${name}/`;
const anyOf = (names) => `^packages/(${names.join('|')})/`;

/** Test and tool-config files may use the root devDependencies (vitest, fast-check, tsup). */
const TEST_FILE = '\\.(test|int\\.test|test-d)\\.ts$';
const TOOL_CONFIG = '(^|/)[^/]+\\.config\\.(ts|mts|js|mjs|cjs)$';

const levelRules = LEVELS.slice(0, -1).map((name, i) => ({
  name: `${name}-not-to-higher-level`,
  comment: `@pd/${name} is level ${i + 1}; it must not import ${LEVELS.slice(i + 1)
    .map((n) => `@pd/${n}`)
    .join(', ')}.`,
  severity: 'error',
  from: { path: pkg(name) },
  to: { path: anyOf(LEVELS.slice(i + 1)) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...levelRules,
    {
      name: 'saga-not-to-eventsourcing',
      comment:
        '@pd/advanced/saga depends only on ddd, cqrs and bus, so a saga user need not adopt event sourcing.',
      severity: 'error',
      from: { path: '^packages/advanced/src/saga/' },
      to: { path: '^packages/eventsourcing/' },
    },
    {
      name: 'level-not-to-testing-or-postgres',
      comment: `Level packages (${LEVELS.join(', ')}) must not import ${TOP.map((n) => `@pd/${n}`).join(' or ')}.`,
      severity: 'error',
      from: { path: anyOf(LEVELS) },
      to: { path: anyOf(TOP) },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles make load order and tree shaking fragile.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'The import cannot be resolved: a typo, or a package that is not installed.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment:
        "Source code imports an npm package that is not in its own package's dependencies " +
        '(it only works because something else installed it).',
      severity: 'error',
      from: { pathNot: [TEST_FILE, TOOL_CONFIG] },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'Published source code must not import a devDependency.',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: TEST_FILE },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'not-to-other-package-internals',
      comment: 'Import another pd package by its name (@pd/x), not by a relative path into it.',
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { dependencyTypes: ['local'], path: '^packages/', pathNot: '^packages/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Only our own build output. Never node_modules or a bare "dist": excluded modules vanish
    // together with every dependency on them (vitest resolves into vitest/dist/…).
    exclude: {
      path: '^(packages/[^/]+|examples/[^/]+|bench)/(dist|build-tsc|\\.turbo|\\.reports|coverage)/',
    },
    // Type-only imports count: `import type` from a higher level is still a layering violation.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    // Resolve @pd/* to their sources (the "@pd/source" export condition), so no build is needed.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@pd/source', 'import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.cjs', '.mjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
