// What differs between 2-5 runs: the params diff, the final metrics and the lineage (data,
// image, version, trigger). One pure function, shared by `mlops compare --runs` and the
// comparison view of `mlops ui`, so the table and the page always agree.
import type { Run } from '../lambda/shared/registry';

/** The fewest and the most runs a comparison takes. */
export const COMPARE_RUNS_MIN = 2;
export const COMPARE_RUNS_MAX = 5;

/** One row of a comparison: a name and one value per run, in the runs' order (null = the run has none). */
export interface ComparedField<T> {
  readonly name: string;
  readonly values: Array<T | null>;
}

/** A row that says whether the runs disagree on it. */
export interface ComparedChange<T> extends ComparedField<T> {
  readonly changed: boolean;
}

/** The comparison of runs, every row in the runs' order. */
export interface RunComparison {
  readonly runs: readonly Run[];
  /** Every final metric any run has, by name. */
  readonly metrics: ReadonlyArray<ComparedField<number>>;
  /** Every hyperparameter any run has, by name. */
  readonly hyperparameters: ReadonlyArray<ComparedChange<string>>;
  /** Where each run came from: model, category, status, start, data, image, version, trigger. */
  readonly lineage: ReadonlyArray<ComparedChange<string | number>>;
}

/** The lineage fields compared, in the order they are shown. */
export const LINEAGE_FIELDS = ['model', 'category', 'status', 'startedAt', 'executionDate', 'datasetVersion', 'image', 'version', 'trigger'] as const;

/**
 * Why `runIds` cannot be compared (a count outside 2-5, or a run named twice), with the fix;
 * undefined when they can.
 */
export function runIdsProblem(runIds: readonly string[]): { message: string; fix: string } | undefined {
  if (runIds.length < COMPARE_RUNS_MIN || runIds.length > COMPARE_RUNS_MAX) {
    return { message: `a comparison takes ${COMPARE_RUNS_MIN} to ${COMPARE_RUNS_MAX} runs, not ${runIds.length}`, fix: `name ${COMPARE_RUNS_MIN} to ${COMPARE_RUNS_MAX} run ids` };
  }
  if (new Set(runIds).size !== runIds.length) return { message: 'a run is given twice', fix: 'name each run once' };
  return undefined;
}

/** Compares runs: metric and hyperparameter names are the union over the runs, sorted. */
export function compareRunRecords(runs: readonly Run[]): RunComparison {
  const union = (pick: (r: Run) => Record<string, unknown> | undefined) => [...new Set(runs.flatMap((r) => Object.keys(pick(r) ?? {})))].sort();
  const differs = (values: unknown[]) => new Set(values.map((v) => JSON.stringify(v ?? null))).size > 1;
  const metrics = union((r) => r.metrics).map((name) => ({ name, values: runs.map((r) => r.metrics[name] ?? null) }));
  const hyperparameters = union((r) => r.hyperparameters)
    .map((name) => ({ name, values: runs.map((r) => r.hyperparameters[name] ?? null) }))
    .map((p) => ({ ...p, changed: differs(p.values) }));
  const lineage = LINEAGE_FIELDS
    .map((name) => ({ name, values: runs.map((r) => r[name] ?? null) }))
    .map((f) => ({ ...f, changed: differs(f.values) }));
  return { runs, metrics, hyperparameters, lineage };
}
