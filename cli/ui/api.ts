// The JSON API the page reads (GET /api/...). Each endpoint answers 200 with JSON, or 4xx with
// `{ "error": "<reason and fix>" }` for a request the page (or a script) got wrong.
import { S3Client } from '@aws-sdk/client-s3';
import { ModelRegistryClient, RUN_STATUSES, Run, RunStatus } from '../../lambda/shared/registry';
import { ModelSpec } from '../../lib/spec/model-spec';
import { listRunArtifacts } from '../run-artifacts';
import { compareRunRecords, runIdsProblem } from '../run-comparison';
import { DriftSource } from './drift';
import { ModelPage, freshnessOf, qualityChart, timelineOf } from './model-page';

/** What the API reads. */
export interface UiSources {
  readonly registry: ModelRegistryClient;
  /** Reads the runs' artifacts in the buckets. */
  readonly s3: S3Client;
  readonly drift: DriftSource;
  /** The model's spec, when it is at hand (threshold, freshness warning). */
  readonly spec: (model: string) => ModelSpec | undefined;
  readonly now: () => Date;
}

/** A request the API refuses: the HTTP status and the reason. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

/** Runs listed per model at most (newest first); the table says when it is cut. */
export const MAX_RUNS = 1000;
/** How far back the page looks for drift values. */
const DRIFT_DAYS = 14;

/** A run as the runs table lists it: the series reduced to its metric names. */
export type RunRow = Omit<Run, 'metricSeries' | 'notes' | 'job'> & { readonly seriesMetrics: string[] };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name) ?? undefined;
  if (value === undefined || value === '') return undefined;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new ApiError(400, `${name}=${value} is not a date: write YYYY-MM-DD`);
  return value;
}

async function modelNames(sources: UiSources): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await sources.registry.listModels({ nextToken: token });
    names.push(...page.items.map((m) => m.model));
    token = page.nextToken;
  } while (token);
  return names.sort();
}

async function runsOf(sources: UiSources, model: string, filter: { category?: string; status?: RunStatus; since?: string; until?: string }): Promise<{ runs: Run[]; truncated: boolean }> {
  const runs: Run[] = [];
  let token: string | undefined;
  do {
    const page = await sources.registry.listRuns({ model, ...filter, limit: 100, nextToken: token });
    runs.push(...page.items);
    token = page.nextToken;
  } while (token && runs.length < MAX_RUNS);
  return { runs: runs.slice(0, MAX_RUNS), truncated: token !== undefined || runs.length > MAX_RUNS };
}

/** GET /api/runs?model=&category=&status=&trigger=&since=YYYY-MM-DD&until=YYYY-MM-DD (every model when none is given). */
async function listRunRows(sources: UiSources, params: URLSearchParams) {
  const status = params.get('status') || undefined;
  if (status !== undefined && !RUN_STATUSES.includes(status as RunStatus)) throw new ApiError(400, `status=${status} is not a run status: use one of ${RUN_STATUSES.join(', ')}`);
  const since = day(params, 'since');
  const until = day(params, 'until');
  if (since && until && until < since) throw new ApiError(400, `until=${until} is before since=${since}: swap them`);
  const model = params.get('model') || undefined;
  const known = await modelNames(sources);
  if (model !== undefined && !known.includes(model)) throw new ApiError(404, `model "${model}" does not exist: use one of ${known.join(', ') || '(none yet)'}`);
  const filter = {
    category: params.get('category') || undefined,
    status: status as RunStatus | undefined,
    since: since && `${since}T00:00:00.000Z`,
    // The until day is included: runs started before the next midnight.
    until: until && new Date(Date.parse(`${until}T00:00:00Z`) + 86_400_000).toISOString(),
  };
  const trigger = params.get('trigger') || undefined;
  let truncated = false;
  const runs: Run[] = [];
  for (const m of model ? [model] : known) {
    const page = await runsOf(sources, m, filter);
    truncated ||= page.truncated;
    runs.push(...page.runs.filter((r) => trigger === undefined || r.trigger === trigger));
  }
  runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const rows: RunRow[] = runs.map(({ metricSeries, notes: _notes, job: _job, ...rest }) => ({ ...rest, seriesMetrics: Object.keys(metricSeries?.metrics ?? {}).sort() }));
  return { runs: rows, truncated, metricNames: [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort() };
}

async function getRunOr404(sources: UiSources, runId: string): Promise<Run> {
  const run = await sources.registry.getRun(runId);
  if (!run) throw new ApiError(404, `run ${runId} does not exist: pick one from GET /api/runs`);
  return run;
}

/** GET /api/runs/<run>/artifacts: each artifact with its file count and size. */
async function artifacts(sources: UiSources, runId: string) {
  const run = await getRunOr404(sources, runId);
  const listed = await listRunArtifacts(sources.s3, run);
  return { artifacts: listed.map(({ name, uri, objects }) => ({ name, uri, files: objects.length, bytes: objects.reduce((n, o) => n + (o.Size ?? 0), 0) })) };
}

/** GET /api/compare?runs=a,b[,c...] */
async function compare(sources: UiSources, params: URLSearchParams) {
  const ids = (params.get('runs') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const problem = runIdsProblem(ids);
  if (problem) throw new ApiError(400, `runs: ${problem.message}: ${problem.fix}, comma-separated (runs=<run>,<run>)`);
  return compareRunRecords(await Promise.all(ids.map((id) => getRunOr404(sources, id))));
}

/** GET /api/models/<model> */
async function modelPage(sources: UiSources, model: string): Promise<ModelPage> {
  const record = await sources.registry.getModel(model);
  if (!record) throw new ApiError(404, `model "${model}" does not exist: pick one from GET /api/models`);
  const spec = sources.spec(model);
  const now = sources.now();
  const categories = await Promise.all(record.categories.map(async (category) => {
    const [versions, production, timeline, freshness] = await Promise.all([
      sources.registry.listVersions(model, category, { limit: 100 }),
      sources.registry.getProduction(model, category),
      timelineOf(sources.registry, model, category),
      freshnessOf(sources.registry, model, category, spec, now),
    ]);
    return {
      category,
      production: production ? { version: production.version, since: production.since, promotedBy: production.promotedBy } : null,
      versions: versions.items, timeline, freshness,
    };
  }));
  const { runs } = await runsOf(sources, model, {});
  const drift = await sources.drift.latest(model, now, DRIFT_DAYS)
    .then((values) => ({ values, error: null }))
    .catch((e: Error) => ({ values: [], error: `drift could not be read from CloudWatch: ${e.message}` }));
  return {
    model, description: record.description ?? null, owner: record.owner ?? null, specFound: spec !== undefined,
    categories, quality: qualityChart(runs, spec), drift,
  };
}

/** Answers GET `path` (after /api/) with its JSON body; throws ApiError for a bad request. */
export async function handleApi(sources: UiSources, path: string, params: URLSearchParams): Promise<unknown> {
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new ApiError(400, `/api/${path} is not a valid URL path: percent-encode names (encodeURIComponent)`);
  }
  const [resource, id, ...rest] = parts;
  if (resource === 'runs' && id !== undefined && rest.length === 1 && rest[0] === 'artifacts') return artifacts(sources, id);
  if (rest.length === 0) {
    if (resource === 'models' && id === undefined) return { models: await modelNames(sources) };
    if (resource === 'models' && id !== undefined) return modelPage(sources, id);
    if (resource === 'runs' && id === undefined) return listRunRows(sources, params);
    if (resource === 'runs' && id !== undefined) return getRunOr404(sources, id);
    if (resource === 'compare' && id === undefined) return compare(sources, params);
  }
  throw new ApiError(404, `no API endpoint /api/${parts.join('/')}: use /api/models, /api/models/<model>, /api/runs, /api/runs/<run>, /api/runs/<run>/artifacts or /api/compare?runs=<run>,<run>`);
}
