/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Throughput summary of some runs: units per second for the median, slowest and fastest run. */
export interface Rate {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Units/s of each run (`units` per run, `samplesMs` per run), summarised. */
export function rateOf(units: number, samplesMs: readonly number[]): Rate {
  const rates = samplesMs.map((ms) => (units * 1000) / ms);
  return { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) };
}
