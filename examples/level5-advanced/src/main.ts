// `pnpm demo` runs this file: `node --import tsx --conditions=@pd/source …/main.ts [--reset]`.
import { runDemo } from './demo.js';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  process.stdout.write(`Usage: pnpm demo [--reset] [--data-dir DIR]

Runs the level-5 example shop (orders, payments, a saga, a projection) on embedded PostgreSQL.
Data is kept in .pd-demo-data/, so a second run continues. Set PD_DEMO_POSTGRES_URL (or
PD_POSTGRES_URL) to use a PostgreSQL server instead.
`);
  process.exit(0);
}
const dataDirIndex = args.indexOf('--data-dir');
const dataDir = dataDirIndex >= 0 ? args[dataDirIndex + 1] : process.env.PD_DEMO_DATA_DIR;
const url = process.env.PD_DEMO_POSTGRES_URL || process.env.PD_POSTGRES_URL || undefined;

try {
  await runDemo({
    reset: args.includes('--reset'),
    ...(dataDir ? { dataDir } : {}),
    ...(url ? { url } : {}),
  });
} catch (error) {
  process.stderr.write(
    `\npd demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
