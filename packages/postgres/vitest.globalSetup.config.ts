// Vitest global setup. PGlite's first start runs initdb, ~3 s (more on a busy machine), and every
// test file starts its own instance. So a fresh data directory is made once per PGlite version,
// kept as a tarball under node_modules/.cache, and the test files start from it (~0.5 s each):
// testSupport/backends.ts reads PD_PGLITE_TEMPLATE.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

export default async function setup(): Promise<void> {
  const pglite = join(import.meta.dirname, 'node_modules', '@electric-sql', 'pglite');
  const { version } = JSON.parse(readFileSync(join(pglite, 'package.json'), 'utf8')) as {
    version: string;
  };
  const dir = join(import.meta.dirname, 'node_modules', '.cache', 'pd-postgres');
  const template = join(dir, `pglite-${version}-datadir.tar`);
  if (!existsSync(template)) {
    const db = await PGlite.create();
    const dump = await db.dumpDataDir('none');
    await db.close();
    await mkdir(dir, { recursive: true });
    // Write then rename: a concurrent run never reads a half-written template.
    const partial = `${template}.${process.pid}.partial`;
    await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
    await rename(partial, template);
  }
  process.env.PD_PGLITE_TEMPLATE = template;
}
