import type { PGlite } from '@electric-sql/pglite';

/**
 * How big a run is. `full` gives the committed figures, `quick` (`BENCH_QUICK=1`) is a smoke run
 * of the whole pipeline in seconds, `smoke` is what the vitest smoke test uses (tiny, in-process).
 */
export type Mode = 'full' | 'quick' | 'smoke';

/** Which side of a comparison runs: the library or the hand-written limit. */
export type Variant = 'pd' | 'baseline';

/** Where PostgreSQL workloads run: the server named by `PD_POSTGRES_URL`, or embedded PGlite. */
export type PgTarget =
  | { readonly kind: 'server'; readonly url: string }
  | {
      readonly kind: 'pglite';
      /**
       * An instance to share (the smoke test opens one: each costs ~2.5 s). Without it every
       * case opens, and closes, its own.
       */
      readonly shared?: PGlite;
    };

/** Per-phase durations (ms) of one run, e.g. `{ append: 120, read: 30 }`. */
export type Phases = Readonly<Record<string, number>>;

/**
 * One side of one benchmark, ready to run. The harness calls `prepare` (untimed), then times
 * `run`, then calls `verify` (untimed) — for the warm-up runs and for each measured run.
 */
export interface Runner {
  /** Units of work (events, dispatches, objects) one `run` processes: the rate is units / time. */
  readonly units: number;
  /** Untimed set-up of one run: a fresh store, fresh stream ids, pre-built inputs. */
  prepare?(): Promise<void> | void;
  /** The timed part. May report how its time splits into phases. */
  run(): Promise<Phases | undefined> | Phases | undefined;
  /** Untimed: throws when the run did not do its work (a benchmark that measures nothing). */
  verify?(): Promise<void> | void;
  /** Releases what the runner holds (drops its PostgreSQL schema). */
  close?(): Promise<void>;
}

/** What a case's factories get. */
export interface CaseContext {
  readonly mode: Mode;
  readonly pg: PgTarget;
}

/** One row of the results table: a pd figure and the baseline it is compared with. */
export interface BenchCase {
  /** Stable id, e.g. `5a-pg-append-1`. */
  readonly id: string;
  /** Workload number of the issue / README (1–6). */
  readonly workload: number;
  readonly title: string;
  /** What one unit is (the rate is "units / s"). */
  readonly unit: string;
  /** True when the case needs PostgreSQL (server or PGlite). */
  readonly postgres: boolean;
  /** Lowest acceptable pd/baseline ratio, when the issue sets one. */
  readonly target?: number;
  /** Shown under the table: what the row measures, in one line. */
  readonly note?: string;
  readonly pd: (context: CaseContext) => Promise<Runner>;
  readonly baseline: (context: CaseContext) => Promise<Runner>;
}

/** What measuring one variant of one case in one process gives. */
export interface VariantResult {
  readonly caseId: string;
  readonly variant: Variant;
  readonly units: number;
  /** Duration of each measured run, ms. */
  readonly samplesMs: readonly number[];
  /** Per-phase durations of each measured run, ms. */
  readonly phasesMs: Readonly<Record<string, readonly number[]>>;
  /** Resident set size before the first run (after set-up), kB. */
  readonly rssBeforeKb: number;
  /** Peak resident set size of the process (getrusage maxrss), kB. */
  readonly peakRssKb: number;
}
