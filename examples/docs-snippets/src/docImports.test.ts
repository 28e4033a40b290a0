// Every name a ```ts block of a Markdown document imports from a pd package must exist. The how-to
// guides and the package READMEs show fragments that cannot all be compiled as they stand (see
// ADR 0010), but their imports can: a renamed or removed export fails here, not in a reader's
// editor. The imports are gathered into one virtual module and type-checked against the sources.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const DOCUMENTS = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name, 'README.md')),
  ...markdownFiles(join(root, 'docs')),
];

interface DocImport {
  readonly document: string;
  readonly module: string;
  readonly name: string;
}

const IMPORT = /import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'(@pd\/[^']+)'/g;

function importsOf(path: string): DocImport[] {
  const markdown = readFileSync(path, 'utf8');
  const document = relative(root, path);
  const found: DocImport[] = [];
  for (const block of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    for (const [, names = '', module = ''] of (block[1] ?? '').matchAll(IMPORT)) {
      for (const raw of names.split(',')) {
        // `type Foo`, `Foo as Bar` and trailing commas: the exported name is what is checked.
        const name = raw
          .replace(/\/\/.*$/gm, '')
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]
          ?.trim();
        if (name) found.push({ document, module, name });
      }
    }
  }
  return found;
}

const imports = DOCUMENTS.flatMap((path) => {
  try {
    return importsOf(path);
  } catch {
    return []; // a package without a README
  }
});

/** Type-checks one line per import and returns the lines the compiler rejects, with its message. */
function rejectedImports(): string[] {
  // One line per import, each under its own local name (documents import the same names).
  const lines = imports.map(
    ({ module, name }, i) => `import type { ${name} as imported${i} } from '${module}';`,
  );
  const virtual = join(here, '__doc_imports__.ts');
  const config = ts.getParsedCommandLineOfConfigFile(
    join(here, '..', 'tsconfig.json'),
    {
      noEmit: true,
      composite: false,
      declaration: false,
      declarationMap: false,
      noUnusedLocals: false,
    },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (config === undefined) throw new Error('cannot read the tsconfig of docs-snippets');
  const host = ts.createCompilerHost(config.options);
  const source = `${lines.join('\n')}\nexport {};\n`;
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, ...rest) =>
    file === virtual
      ? ts.createSourceFile(file, source, language)
      : getSourceFile(file, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === virtual || fileExists(file);
  const program = ts.createProgram({ rootNames: [virtual], options: config.options, host });
  const file = program.getSourceFile(virtual);
  return program.getSemanticDiagnostics(file).map((diagnostic) => {
    const line = file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line ?? 0;
    const which = imports[line];
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    return `${which?.document}: ${which?.name} from ${which?.module}: ${message}`;
  });
}

describe('imports shown in the Markdown documents', () => {
  it('are found in the READMEs and guides', () => {
    expect(imports.length).toBeGreaterThan(50);
    const documents = new Set(imports.map((i) => i.document));
    expect([...documents].some((d) => d.startsWith('docs/how-to/'))).toBe(true);
    expect([...documents].some((d) => d.startsWith('packages/postgres/'))).toBe(true);
  });

  it('all name exports that exist', () => {
    expect(rejectedImports()).toEqual([]);
  }, 60_000);
});
