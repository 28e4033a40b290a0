import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { BenchCase, CaseContext, Phases, Variant, VariantResult } from './types.js';

/** How many runs to make. */
export interface MeasureOptions {
  /** Untimed runs first, so the JIT has compiled the hot paths (default 1). */
  readonly warmup?: number;
  /** Timed runs (default 5). */
  readonly runs?: number;
}

const collectGarbage = (): void => {
  // Only available under `node --expose-gc` (the bench script passes it); a collection between
  // runs keeps one run's garbage out of the next run's time.
  (globalThis as { gc?: () => void }).gc?.();
};

/**
 * Measures one side of a case in this process: `warmup` untimed runs, then `runs` timed ones,
 * each preceded by an untimed `prepare` and followed by an untimed `verify`. Time is wall clock
 * (`performance.now()`) around `run` only.
 */
export async function measureVariant(
  benchCase: BenchCase,
  variant: Variant,
  context: CaseContext,
  options: MeasureOptions = {},
): Promise<VariantResult> {
  const warmup = options.warmup ?? 1;
  const runs = options.runs ?? 5;
  const runner = await benchCase[variant](context);
  const samplesMs: number[] = [];
  const phasesMs: Record<string, number[]> = {};
  let rssBeforeKb = 0;
  try {
    for (let i = 0; i < warmup + runs; i++) {
      await runner.prepare?.();
      collectGarbage();
      if (i === 0) rssBeforeKb = Math.round(process.memoryUsage.rss() / 1024);
      const started = performance.now();
      const phases: Phases | undefined = await runner.run();
      const elapsed = performance.now() - started;
      await runner.verify?.();
      if (i < warmup) continue;
      samplesMs.push(elapsed);
      for (const [name, ms] of Object.entries(phases ?? {})) {
        const list = phasesMs[name] ?? [];
        list.push(ms);
        phasesMs[name] = list;
      }
    }
  } finally {
    await runner.close?.();
  }
  return {
    caseId: benchCase.id,
    variant,
    units: runner.units,
    samplesMs,
    phasesMs,
    rssBeforeKb,
    peakRssKb: peakRssKb(),
  };
}

/**
 * This process's peak resident set size, kB. On Linux it is `VmHWM` of /proc/self/status: the
 * high-water mark of this program's own memory. (`getrusage` maxrss is no good in a child
 * process: Linux carries it over from the parent across fork + exec, so every child would report
 * at least its parent's peak.)
 */
export function peakRssKb(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

/** Times phases inside a `run`: `const t = phaseTimer(); …; t.lap('append'); …; t.lap('read')`. */
export function phaseTimer(): { lap(name: string): void; readonly phases: Phases } {
  const phases: Record<string, number> = {};
  let last = performance.now();
  return {
    lap(name: string) {
      const now = performance.now();
      phases[name] = (phases[name] ?? 0) + (now - last);
      last = now;
    },
    phases,
  };
}

/** Picks the size for the mode. */
export function sized<T>(context: CaseContext, sizes: { full: T; quick: T; smoke: T }): T {
  return sizes[context.mode];
}

/** Throws when a benchmark's result is not what it should be (it would measure nothing). */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) {
    throw new Error(
      `bench check failed: ${what} was ${String(actual)}, expected ${String(expected)}`,
    );
  }
}
