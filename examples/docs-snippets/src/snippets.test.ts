// Keeps the documents and their mirrors in step: every ```ts block of the root README and of the
// tutorial must appear verbatim (whitespace aside) in one of the files of this folder, which CI
// type-checks (tsc -b) and partly runs (tutorial.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const DOCUMENTS = ['README.md', 'docs/tutorial/getting-started.md'];

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

const mirrors = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'snippets.test.ts')
  .map((f) => ({ file: f, text: squash(readFileSync(`${here}${f}`, 'utf8')) }));

describe.each(DOCUMENTS)('%s', (document) => {
  const blocks = tsBlocks(readFileSync(`${root}${document}`, 'utf8'));

  it('has TypeScript blocks', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  it.each(blocks.map((block, i) => [i + 1, block] as const))(
    'block %i is mirrored verbatim in a compiled file',
    (_n, block) => {
      const wanted = squash(block);
      const home = mirrors.find((m) => m.text.includes(wanted));
      expect(home, `not found in examples/docs-snippets/src:\n${block}`).toBeDefined();
    },
  );
});
