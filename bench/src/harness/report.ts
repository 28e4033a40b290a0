import { median, type Rate, rateOf } from './stats.js';
import type { BenchCase, Variant, VariantResult } from './types.js';

/** The machine and software a run happened on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started and ended (the machine is shared). */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

/** Where the PostgreSQL workloads ran. */
export interface PostgresInfo {
  readonly kind: 'server' | 'pglite';
  readonly description: string;
  readonly version: string;
}

/** One side of one case, summarised. */
export interface SideSummary {
  readonly units: number;
  /** Units per second. */
  readonly rate: Rate;
  readonly samplesMs: readonly number[];
  /** Median ms per phase, when the case reports phases. */
  readonly phaseMedianMs: Readonly<Record<string, number>>;
  readonly rssBeforeMiB: number;
  readonly peakRssMiB: number;
}

/** One row of the results. */
export interface CaseSummary {
  readonly id: string;
  readonly workload: number;
  readonly title: string;
  readonly unit: string;
  readonly note: string | undefined;
  readonly target: number | null;
  readonly pd: SideSummary | null;
  readonly baseline: SideSummary | null;
  /** Median pd rate / median baseline rate. */
  readonly ratio: number | null;
  /** Whether the ratio reaches the target (null: no target, or no result). */
  readonly met: boolean | null;
  /** Why a side has no result. */
  readonly error: string | null;
}

/** The content of `results/latest.json`. */
export interface BenchResults {
  readonly generatedAt: string;
  readonly mode: string;
  readonly durationSeconds: number;
  readonly method: string;
  readonly machine: MachineInfo;
  readonly postgres: PostgresInfo;
  readonly cases: readonly CaseSummary[];
}

const mib = (kb: number): number => Math.round((kb / 1024) * 10) / 10;

/** Summarises a measured side. */
export function summariseSide(result: VariantResult): SideSummary {
  const phaseMedianMs: Record<string, number> = {};
  for (const [name, values] of Object.entries(result.phasesMs)) {
    phaseMedianMs[name] = Math.round(median(values) * 100) / 100;
  }
  return {
    units: result.units,
    rate: rateOf(result.units, result.samplesMs),
    samplesMs: result.samplesMs.map((ms) => Math.round(ms * 100) / 100),
    phaseMedianMs,
    rssBeforeMiB: mib(result.rssBeforeKb),
    peakRssMiB: mib(result.peakRssKb),
  };
}

/** Builds a case's row from its two sides (either may be missing after a failure). */
export function summariseCase(
  benchCase: BenchCase,
  sides: Partial<Record<Variant, VariantResult>>,
  error: string | null,
): CaseSummary {
  const pd = sides.pd === undefined ? null : summariseSide(sides.pd);
  const baseline = sides.baseline === undefined ? null : summariseSide(sides.baseline);
  const ratio = pd !== null && baseline !== null ? pd.rate.median / baseline.rate.median : null;
  const target = benchCase.target ?? null;
  return {
    id: benchCase.id,
    workload: benchCase.workload,
    title: benchCase.title,
    unit: benchCase.unit,
    note: benchCase.note,
    target,
    pd,
    baseline,
    ratio,
    met: target === null || ratio === null ? null : ratio >= target,
    error,
  };
}

/** 1234567 → "1.23 M", 12345 → "12.3 k", 123 → "123". */
export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const [scaled, suffix] =
    value >= 1e6 ? [value / 1e6, ' M'] : value >= 1e3 ? [value / 1e3, ' k'] : [value, ''];
  const digits = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2;
  return `${scaled.toFixed(digits)}${suffix}`;
}

const rateCell = (side: SideSummary | null, unit: string): string =>
  side === null
    ? 'failed'
    : `**${formatRate(side.rate.median)}** ${unit}/s<br>(${formatRate(side.rate.min)}–${formatRate(side.rate.max)})`;

function ratioCell(row: CaseSummary): string {
  if (row.ratio === null) return 'n/a';
  const text = row.ratio >= 0.1 ? row.ratio.toFixed(2) : row.ratio.toFixed(3);
  return row.target === null && row.ratio < 0.05 ? `${text} ⚠` : text;
}

function metCell(row: CaseSummary): string {
  if (row.met === null) return row.target === null ? '–' : 'n/a';
  return row.met ? 'yes' : `**NO** (${row.ratio?.toFixed(2)} < ${row.target})`;
}

/** The generated README section: run facts, the table and per-row details. */
export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const lines: string[] = [];
  lines.push(
    `Run of ${results.generatedAt.slice(0, 16).replace('T', ' ')} UTC, mode \`${results.mode}\`, ${Math.round(results.durationSeconds)} s in all.`,
    '',
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.platform}; load average (1 min) ${m.loadAverage.start.toFixed(2)} at the start, ${m.loadAverage.end.toFixed(2)} at the end (the machine is shared: other work adds noise).`,
    `- Node ${m.node}.`,
    `- PostgreSQL workloads: ${results.postgres.description} — ${results.postgres.version}.`,
    `- Method: ${results.method}`,
    '',
    '| # | workload | pd: median (min–max) | baseline: median (min–max) | ratio pd/baseline | target | met? | peak RSS pd / baseline |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const row of results.cases) {
    const rss =
      row.pd === null || row.baseline === null
        ? 'n/a'
        : `${Math.round(row.pd.peakRssMiB)} / ${Math.round(row.baseline.peakRssMiB)} MiB`;
    lines.push(
      `| ${row.id} | ${row.title} | ${rateCell(row.pd, row.unit)} | ${rateCell(row.baseline, row.unit)} | ${ratioCell(row)} | ${row.target === null ? 'state' : `≥ ${row.target}`} | ${metCell(row)} | ${rss} |`,
    );
  }
  lines.push('', '⚠ = under 0.05 of its baseline: see "Investigations" below.', '');
  const details = results.cases.filter(
    (row) =>
      row.error !== null ||
      Object.keys(row.pd?.phaseMedianMs ?? {}).length > 0 ||
      row.note !== undefined,
  );
  if (details.length > 0) {
    lines.push('Row details (what is timed; phase medians where a row has phases):', '');
    for (const row of details) {
      let text = `- \`${row.id}\`: ${row.note ?? ''}`;
      for (const [label, side] of [
        ['pd', row.pd],
        ['baseline', row.baseline],
      ] as const) {
        const phases = Object.entries(side?.phaseMedianMs ?? {});
        if (phases.length > 0) {
          text += `; ${label} phases ${phases.map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`).join(', ')}`;
        }
      }
      if (row.error !== null) text += `; **failed**: ${row.error}`;
      lines.push(text);
    }
  }
  return lines.join('\n');
}

export const BEGIN_MARKER = '<!-- bench:results:begin (generated by `pnpm bench`; do not edit) -->';
export const END_MARKER = '<!-- bench:results:end -->';

/** Replaces the text between the markers of `readme` with `section`. */
export function replaceSection(readme: string, section: string): string {
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (begin === -1 || end === -1 || end < begin) {
    throw new Error(`bench/README.md lacks the markers ${BEGIN_MARKER} … ${END_MARKER}`);
  }
  return `${readme.slice(0, begin + BEGIN_MARKER.length)}\n${section}\n${readme.slice(end)}`;
}
