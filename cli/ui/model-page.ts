// What the model page shows, read from the registry (and the spec when it is at hand): the
// versions, the production timeline (promotions, rollbacks, approvals and rejections: who, when,
// why), prediction freshness against the TTL, and the production metric over time per category
// with the spec's threshold (the accuracy decay the quality alarm watches).
import { ModelRegistryClient, ModelVersion, Run } from '../../lambda/shared/registry';
import { batchFreshness } from '../../lib/spec/freshness';
import { ModelSpec } from '../../lib/spec/model-spec';
import { DriftValue } from './drift';

/** One entry of the production timeline. */
export interface TimelineEntry {
  readonly at: string;
  /** PROMOTE or ROLLBACK (the production pointer moved), else the version status set (APPROVED, REJECTED, ...). */
  readonly kind: string;
  readonly fromVersion: number | null;
  readonly toVersion: number;
  readonly actor: string;
  readonly reason: string;
}

/** FRESH: younger than the warning age; LATE: a batch was missed; EXPIRED: past the TTL; NONE: nothing served from a batch. */
export type FreshnessState = 'FRESH' | 'LATE' | 'EXPIRED' | 'NONE';

export interface Freshness {
  readonly state: FreshnessState;
  readonly servedVersion: number | null;
  readonly generatedAt: string | null;
  readonly expiresAt: string | null;
  /** Age of the served predictions at `now`, in hours. */
  readonly ageHours: number | null;
  /** Their TTL (expiresAt - generatedAt), in hours. */
  readonly ttlHours: number | null;
  /** The age the freshness warning fires at (from the spec's schedules), in hours; null without a spec. */
  readonly warningHours: number | null;
}

export interface CategoryPage {
  readonly category: string;
  readonly production: { readonly version: number; readonly since: string; readonly promotedBy: string } | null;
  readonly versions: ModelVersion[];
  readonly timeline: TimelineEntry[];
  readonly freshness: Freshness;
}

/** The evaluation metric of the model's production runs over time, per category. */
export interface QualityChart {
  readonly metric: string;
  readonly direction: string;
  /** The spec's evaluation.threshold (the quality alarm's threshold); null when none is set. */
  readonly threshold: number | null;
  /** Category to [epoch seconds, value] points, oldest first. */
  readonly series: Record<string, Array<[number, number]>>;
}

export interface ModelPage {
  readonly model: string;
  readonly description: string | null;
  readonly owner: string | null;
  /** Where the spec came from; null when it was not found (no threshold, no warning age). */
  readonly specFound: boolean;
  readonly categories: CategoryPage[];
  /** Null when no metric is known (no spec and no run metrics). */
  readonly quality: QualityChart | null;
  readonly drift: { readonly values: DriftValue[]; readonly error: string | null };
}

const HOUR_MS = 3_600_000;
const hours = (ms: number) => Math.round((ms / HOUR_MS) * 10) / 10;

export async function freshnessOf(registry: ModelRegistryClient, model: string, category: string, spec: ModelSpec | undefined, now: Date): Promise<Freshness> {
  const served = await registry.getServed(model, category);
  const load = served ? await registry.getLoad(model, category, served.version) : undefined;
  const budget = spec ? batchFreshness(spec) : undefined;
  const warningHours = budget?.warningMs === undefined ? null : hours(budget.warningMs);
  if (!served || !load) {
    return { state: 'NONE', servedVersion: served?.version ?? null, generatedAt: null, expiresAt: null, ageHours: null, ttlHours: null, warningHours };
  }
  const ageMs = now.getTime() - Date.parse(load.generatedAt);
  const expired = now.getTime() >= Date.parse(load.expiresAt);
  const late = budget?.warningMs !== undefined && ageMs >= budget.warningMs;
  return {
    state: expired ? 'EXPIRED' : late ? 'LATE' : 'FRESH',
    servedVersion: served.version,
    generatedAt: load.generatedAt,
    expiresAt: load.expiresAt,
    ageHours: hours(ageMs),
    ttlHours: hours(Date.parse(load.expiresAt) - Date.parse(load.generatedAt)),
    warningHours,
  };
}

export async function timelineOf(registry: ModelRegistryClient, model: string, category: string): Promise<TimelineEntry[]> {
  const [promotions, changes] = await Promise.all([
    registry.listHistory(model, category, { limit: 100 }),
    registry.listStatusHistory(model, category, { limit: 100 }),
  ]);
  return [
    ...promotions.items.map((e) => ({ at: e.at, kind: e.kind, fromVersion: e.fromVersion ?? null, toVersion: e.toVersion, actor: e.actor, reason: e.reason })),
    ...changes.items.map((c) => ({ at: c.at, kind: c.status, fromVersion: null, toVersion: c.version, actor: c.actor, reason: c.reason })),
  ].sort((a, b) => b.at.localeCompare(a.at));
}

/**
 * The production metric over time: the evaluated metric of every finished, non-experiment run
 * (what the EvaluatedMetric alarm watches), per category, at the run's end.
 */
export function qualityChart(runs: readonly Run[], spec: ModelSpec | undefined): QualityChart | null {
  const metric = spec?.evaluation.metric ?? [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort()[0];
  if (metric === undefined) return null;
  const series: Record<string, Array<[number, number]>> = {};
  for (const r of runs) {
    const value = r.metrics[metric];
    if (r.experiment || r.status !== 'SUCCEEDED' || typeof value !== 'number') continue;
    (series[r.category] ??= []).push([Math.floor(Date.parse(r.finishedAt ?? r.startedAt) / 1000), value]);
  }
  for (const points of Object.values(series)) points.sort((a, b) => a[0] - b[0]);
  return { metric, direction: spec?.evaluation.direction ?? 'unknown', threshold: spec?.evaluation.threshold ?? null, series };
}
