import { CONTAINER, METRICS } from '../contract';
import { MetricSeries, ModelVersion, parseMetricSeries } from '../registry';
import * as v from '../registry/validate';
import { TrainingDeps, pipelineActor } from './deps';
import { emitRunMetrics } from './metrics';
import { getText, listAll } from './s3';
import { RunItem } from './types';

/** Raised when a run's output holds no usable metrics.json. */
export class MetricsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsError';
  }
}

export interface Evaluation {
  readonly version: number;
  readonly metrics: Record<string, number>;
  readonly metricValue: number;
  readonly artifactUri: string;
}

/**
 * Reads `metrics.json` from the run output, finishes the run as SUCCEEDED with its metrics and
 * artifacts, and registers a new version with full lineage. Idempotent per run id (a retry
 * returns the version already registered).
 */
export async function evaluate(item: RunItem & { jobName: string }, deps: TrainingDeps): Promise<Evaluation> {
  const jobPrefix = `${item.outputPrefix}${item.jobName}/output/`;
  const { key, text } = await findMetrics(item, jobPrefix, deps);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MetricsError(`${key} is not valid JSON; the training code must write an object such as {"rmse": 0.42}`);
  }
  let metrics: Record<string, number>;
  try {
    metrics = v.metrics('metrics.json', parsed);
  } catch (e) {
    throw new MetricsError(`${key}: ${(e as Error).message}`);
  }
  const metric = deps.config.evaluation.metric;
  const metricValue = metrics[metric];
  if (metricValue === undefined) {
    throw new MetricsError(`${key} has no "${metric}" (it has ${Object.keys(metrics).join(', ') || 'nothing'}); the evaluation policy compares on "${metric}"`);
  }
  const modelDir = `s3://${item.outputBucket}/${jobPrefix}model/`;
  // The version's artifact is what scoring reads: never register an empty prefix.
  if ((await listAll(deps.s3, item.outputBucket, `${jobPrefix}model/`)).length === 0) {
    throw new MetricsError(`no model files under ${modelDir}: the training code must write the model to ${CONTAINER.modelDir}`);
  }
  const artifactUri = modelDir;
  const version: ModelVersion = await deps.registry.registerVersion({
    model: item.model,
    category: item.category,
    artifactUri,
    metrics,
    datasetVersion: item.datasetVersion,
    // The image the plan pinned by digest; the configured one for executions planned before.
    image: item.image ?? deps.config.image,
    codeRevision: deps.config.codeRevision,
    hyperparameters: item.hyperparameters,
    runId: item.runId,
    executionDate: item.executionDate,
    description: item.experiment ? `experiment run ${item.runId}` : undefined,
    actor: pipelineActor(deps.config, item.executionId),
  });
  // The drift baseline (optional) is recorded on the run, where drift detection looks for it.
  const baselineKey = await findBaseline(item, jobPrefix, key, deps);
  const series = await readMetricSeries(item, jobPrefix, key, deps);
  await deps.registry.finishRun({
    runId: item.runId,
    status: 'SUCCEEDED',
    metrics,
    artifacts: {
      model: modelDir, metrics: `s3://${item.outputBucket}/${key}`, output: `s3://${item.outputBucket}/${jobPrefix}`,
      ...(baselineKey ? { baseline: `s3://${item.outputBucket}/${baselineKey}` } : {}),
      ...(series ? { metricSeries: `s3://${item.outputBucket}/${series.key}` } : {}),
    },
    version: version.version,
    metricSeries: series?.series,
  });
  emitRunMetrics(deps, item.model, item.category, [
    { name: METRICS.runsSucceeded, unit: 'Count', value: 1 },
    // Experiments are not production candidates: keep them out of the quality series.
    ...(item.experiment ? [] : [{ name: METRICS.evaluatedMetric, unit: 'None', value: metricValue }]),
  ]);
  return { version: version.version, metrics, metricValue, artifactUri };
}

/** Largest metrics.jsonl parsed into the run item; a larger one is only linked (its curves are in S3). */
const MAX_SERIES_BYTES = 16 * 1024 * 1024;

/** metrics.jsonl next to metrics.json, else in the model or output data directory; undefined when the run wrote none. */
async function readMetricSeries(item: RunItem, jobPrefix: string, metricsKey: string, deps: TrainingDeps): Promise<{ key: string; series: MetricSeries } | undefined> {
  const nextToMetrics = `${metricsKey.slice(0, metricsKey.lastIndexOf('/') + 1)}${CONTAINER.metricSeriesFile}`;
  for (const key of [...new Set([nextToMetrics, `${jobPrefix}model/${CONTAINER.metricSeriesFile}`, `${jobPrefix}data/${CONTAINER.metricSeriesFile}`])]) {
    const [object] = (await listAll(deps.s3, item.outputBucket, key)).filter((o) => o.Key === key);
    if (!object) continue;
    if ((object.Size ?? 0) > MAX_SERIES_BYTES) return { key, series: { metrics: {}, points: 0, complete: false, skippedLines: 0 } };
    const text = await getText(deps.s3, item.outputBucket, key);
    if (text !== undefined) return { key, series: parseMetricSeries(text) };
  }
  return undefined;
}

/** baseline.json next to metrics.json, else in the model or output data directory; undefined when the run wrote none. */
async function findBaseline(item: RunItem, jobPrefix: string, metricsKey: string, deps: TrainingDeps): Promise<string | undefined> {
  const nextToMetrics = `${metricsKey.slice(0, metricsKey.lastIndexOf('/') + 1)}${CONTAINER.baselineFile}`;
  const candidates = [...new Set([nextToMetrics, `${jobPrefix}model/${CONTAINER.baselineFile}`, `${jobPrefix}data/${CONTAINER.baselineFile}`])];
  for (const key of candidates) {
    if (await getText(deps.s3, item.outputBucket, key) !== undefined) return key;
  }
  return undefined;
}

/** metrics.json from the model directory, else the output data directory, else anywhere under the job's output. */
async function findMetrics(item: RunItem, jobPrefix: string, deps: TrainingDeps): Promise<{ key: string; text: string }> {
  for (const key of [`${jobPrefix}model/${CONTAINER.metricsFile}`, `${jobPrefix}data/${CONTAINER.metricsFile}`]) {
    const text = await getText(deps.s3, item.outputBucket, key);
    if (text !== undefined) return { key, text };
  }
  const found = (await listAll(deps.s3, item.outputBucket, jobPrefix)).find((o) => o.Key?.endsWith(`/${CONTAINER.metricsFile}`));
  const text = found ? await getText(deps.s3, item.outputBucket, found.Key!) : undefined;
  if (found && text !== undefined) return { key: found.Key!, text };
  throw new MetricsError(`no ${CONTAINER.metricsFile} under s3://${item.outputBucket}/${jobPrefix}: the training code must write it to ${CONTAINER.modelDir} or ${CONTAINER.outputDataDir}`);
}
