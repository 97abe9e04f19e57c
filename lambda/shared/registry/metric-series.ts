// A run's metric series (`metrics.jsonl`: one `{"step": 3, "rmse": 41.2}` object per line), kept
// compactly on the run item: per metric a list of [step, value] pairs, at most MAX_POINTS each
// (evenly thinned, first and last kept), so a run item stays far below DynamoDB's 400 KB. The
// whole file stays in S3; the run's `artifacts.metricSeries` points to it.
import { ValidationError } from './errors';
import { isMetricName } from '../names-and-numbers';

/** Points kept per metric on the run item. */
export const MAX_SERIES_POINTS = 500;
/** Metrics kept per run (the first ones seen). */
export const MAX_SERIES_METRICS = 20;

/** One metric's curve: [step, value] pairs in step order. */
export type SeriesPoints = Array<[number, number]>;

/** The metric series stored on a run. */
export interface MetricSeries {
  /** Metric name to its [step, value] points, ascending by step. */
  readonly metrics: Record<string, SeriesPoints>;
  /** Distinct points in the file, all metrics (a step written twice counts once: its last value is kept). */
  readonly points: number;
  /** False when points were thinned or metrics dropped to fit the run item (the file in S3 has them all). */
  readonly complete: boolean;
  /** Lines that were not a JSON object with a numeric `step` (blank lines excepted); they are ignored. */
  readonly skippedLines: number;
}

/**
 * Parses metrics.jsonl text. A bad line is counted and skipped, never fatal: `metrics.json`, not
 * the series, is the evaluation gate's input. Non-numeric or non-finite values are skipped too.
 */
export function parseMetricSeries(text: string): MetricSeries {
  const byName = new Map<string, Map<number, number>>();
  let skippedLines = 0;
  let dropped = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let row: unknown;
    try { row = JSON.parse(line); } catch { skippedLines++; continue; }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) { skippedLines++; continue; }
    const { step, ...values } = row as Record<string, unknown>;
    if (typeof step !== 'number' || !Number.isFinite(step)) { skippedLines++; continue; }
    for (const [name, value] of Object.entries(values)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || !isMetricName(name)) continue;
      let series = byName.get(name);
      if (!series) {
        if (byName.size >= MAX_SERIES_METRICS) { dropped = true; continue; }
        byName.set(name, series = new Map());
      }
      // A step written twice keeps its last value (a resumed job rewrites steps).
      series.set(step, value);
    }
  }
  const metrics: Record<string, SeriesPoints> = {};
  let thinned = false;
  let points = 0;
  for (const [name, series] of byName) {
    points += series.size;
    const sorted = [...series.entries()].sort((a, b) => a[0] - b[0]);
    metrics[name] = thin(sorted, MAX_SERIES_POINTS);
    thinned ||= metrics[name].length < sorted.length;
  }
  return { metrics, points, complete: !thinned && !dropped, skippedLines };
}

/** At most `max` points, evenly spread, always keeping the first and the last. */
export function thin(points: SeriesPoints, max: number): SeriesPoints {
  if (points.length <= max) return points;
  if (max < 2) return points.slice(-max);
  const out: SeriesPoints = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]);
  return out;
}

/** Checks a series given to the registry (it is stored as is). */
export function validateMetricSeries(field: string, value: unknown): MetricSeries | undefined {
  if (value === undefined) return undefined;
  const s = value as MetricSeries;
  if (typeof s !== 'object' || s === null || typeof s.metrics !== 'object' || s.metrics === null) {
    throw new ValidationError(field, value, 'use the result of parseMetricSeries: {metrics: {name: [[step, value], ...]}, points, complete, skippedLines}');
  }
  const names = Object.keys(s.metrics);
  if (names.length > MAX_SERIES_METRICS) throw new ValidationError(`${field}.metrics`, names.length, `keep at most ${MAX_SERIES_METRICS} metrics`);
  for (const name of names) {
    if (!isMetricName(name)) throw new ValidationError(`${field}.metrics key`, name, 'use a metric name such as "rmse"');
    const pts = s.metrics[name];
    if (!Array.isArray(pts) || pts.length > MAX_SERIES_POINTS || !pts.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n)))) {
      throw new ValidationError(`${field}.metrics.${name}`, `${Array.isArray(pts) ? pts.length : typeof pts} points`, `use at most ${MAX_SERIES_POINTS} [step, value] pairs of finite numbers (thin the series first)`);
    }
  }
  return { metrics: s.metrics, points: Number(s.points) || 0, complete: s.complete === true, skippedLines: Number(s.skippedLines) || 0 };
}
