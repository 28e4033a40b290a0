// One measurement in a fresh process: `node dist/child.js <caseId> <pd|baseline> <full|quick> [runs]`.
// Prints one line `RESULT <json>` (a VariantResult). The orchestrator (run.ts) spawns it, so each
// side of each case gets its own heap, JIT state and peak-RSS figure.
import { pgTargetFromEnv, postgresInfo } from './harness/database.js';
import { measureVariant } from './harness/measure.js';
import type { Mode, Variant } from './harness/types.js';
import { caseById } from './workloads/index.js';

const [caseId, variant, mode, runs] = process.argv.slice(2);
if (caseId === '--pg-info') {
  // Asked by run.ts: which PostgreSQL the target is (here, so the orchestrator never loads PGlite).
  console.log(`RESULT ${JSON.stringify(await postgresInfo(pgTargetFromEnv()))}`);
  process.exit(0);
}
if (caseId === undefined || (variant !== 'pd' && variant !== 'baseline')) {
  console.error('usage: node dist/child.js <caseId> <pd|baseline> <full|quick> [runs]');
  process.exit(2);
}
const result = await measureVariant(
  caseById(caseId),
  variant as Variant,
  { mode: (mode ?? 'full') as Mode, pg: pgTargetFromEnv() },
  { warmup: 1, runs: Number(runs ?? 5) },
);
console.log(`RESULT ${JSON.stringify(result)}`);
