// Drift of one (model, category, date) batch: PSI of the prediction distribution and of the
// declared input features against the baseline recorded at evaluation time for the version
// that scored the batch, published as CloudWatch metrics (EMF). Batch inference invokes it
// after loading, with the version it scored: a promotion during scoring must not make the batch
// look drifted against another version's baseline.
//
// Predictions: JSON Lines files (optionally .gz) under layout.predictionsPrefix(model, category,
// date) in the predictions bucket, one object per line:
//   { "prediction": 0.42, "features": { "price": 12.5, "region": "eu" }, ... }
// Features are read from `features` when present, else from the top level of the line.
// Baseline: the run's artifacts.baseline URI when the run recorded one, else where evaluation
// looks for it in the job's output (`<runPrefix><jobName>/output/model/` then `.../data/`).
// Nothing is published below the minimum sample size (../shared/monitoring/sample-size.ts).
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CONTAINER, layout } from '../shared/contract';
import { writeEmf } from '../shared/emf';
import { ENV, requireEnv } from '../shared/env';
import { DriftBaseline, parseBaseline, predictionBaselineFor } from '../shared/monitoring/baseline';
import { driftEmfLines } from '../shared/monitoring/emf';
import { createLogger, startInvocation } from '../shared/monitoring/logger';
import { BinCounter, Histogram, baselineCounts, mergeDegenerateBins, psi } from '../shared/monitoring/psi';
import { effectiveSampleSize, minimumSampleSize } from '../shared/monitoring/sample-size';
import { ModelRegistryClient } from '../shared/registry';

export interface DriftComputeEvent {
  readonly model: string;
  readonly category: string;
  /** YYYY-MM-DD of the batch. */
  readonly executionDate: string;
  /** The version that scored the batch (batch inference passes `$.version`); its baseline is used. */
  readonly version: number;
  /** Overrides where the baseline is read from (s3://bucket/key). */
  readonly baselineUri?: string;
  /**
   * The batch's own part files (batch inference passes `$.partsPrefix`): several executions can
   * score the same date (the daily run, a promotion, a drift retrain), each under its own prefix.
   * @default every part under the date's predictions prefix
   */
  readonly partsPrefix?: string;
  /** Declared input features to compute drift for. @default every feature in the baseline */
  readonly features?: string[];
}

/** Why a histogram got no PSI although values were read. */
export interface TooFewValues {
  /** Values counted in the batch (non-numbers skipped). */
  readonly batch: number;
  /** Values in the baseline histogram. */
  readonly baseline: number;
  /** Effective size: batch * baseline / (batch + baseline). */
  readonly effective: number;
  /** The minimum effective size for this histogram's bins. */
  readonly required: number;
}

export interface DriftComputeResult {
  readonly status: 'PUBLISHED' | 'NO_BASELINE' | 'NO_PREDICTIONS' | 'TOO_FEW_VALUES';
  readonly model: string;
  readonly category: string;
  readonly executionDate: string;
  readonly version: number;
  readonly baselineUri?: string;
  readonly sampleSize: number;
  readonly predictionPsi?: number;
  readonly featurePsi: Record<string, number | undefined>;
  /** Histograms (`prediction`, feature names) left unpublished for lack of values. */
  readonly tooFewValues?: Record<string, TooFewValues>;
}

export interface DriftComputeDeps {
  readonly s3: S3Client;
  readonly registry: Pick<ModelRegistryClient, 'getVersion' | 'getRun'>;
  readonly predictionsBucket: string;
  /** Where EMF lines go. @default writeEmf (process.stdout, intact under the JSON log format) */
  readonly emit?: (line: string) => void;
  readonly now?: () => Date;
}

const logger = createLogger('drift-compute');

export async function computeDrift(event: DriftComputeEvent, deps: DriftComputeDeps): Promise<DriftComputeResult> {
  validate(event);
  const { model, category, executionDate, version } = event;
  const base = { model, category, executionDate, version, sampleSize: 0, featurePsi: {} };
  const located = event.baselineUri === undefined ? await findBaseline(deps, model, category, version) : await readBaseline(deps.s3, event.baselineUri);
  const { baseline, uri: baselineUri } = located;
  if (!baseline) {
    logger.warn('no drift baseline for the scored version; the training run should write baseline.json', { version, tried: located.tried });
    return { ...base, status: 'NO_BASELINE', baselineUri: located.tried[0] };
  }

  const wanted = event.features ?? Object.keys(baseline.features);
  const missing = wanted.filter((f) => baseline.features[f] === undefined);
  if (missing.length > 0) logger.warn('declared features missing from the baseline are skipped', { missing });
  const features = wanted.filter((f) => baseline.features[f] !== undefined);

  const prediction = counterFor(predictionBaselineFor(baseline, executionDate));
  const featureCounters = new Map(features.map((f) => [f, counterFor(baseline.features[f])]));
  let sampleSize = 0;
  for await (const record of readPredictions(deps.s3, deps.predictionsBucket, event.partsPrefix ?? layout.predictionsPrefix(model, category, executionDate))) {
    sampleSize++;
    prediction.counter.add(record.prediction);
    const source = (record.features && typeof record.features === 'object' ? record.features : record) as Record<string, unknown>;
    for (const [f, c] of featureCounters) c.counter.add(source[f]);
  }
  if (sampleSize === 0) {
    logger.warn('no predictions for the batch; nothing to compare (the freshness alarms cover missing batches)');
    return { ...base, status: 'NO_PREDICTIONS', baselineUri };
  }

  const tooFewValues: Record<string, TooFewValues> = {};
  const measure = (name: string, c: { counter: BinCounter; expected: number[] }): number | undefined => {
    const shortfall = tooFew(c.expected, c.counter.counts);
    if (shortfall) { tooFewValues[name] = shortfall; return undefined; }
    return psi(c.expected, c.counter.counts);
  };
  const predictionPsi = measure('prediction', prediction);
  const featurePsi: Record<string, number | undefined> = {};
  for (const [f, c] of featureCounters) featurePsi[f] = measure(f, c);
  const few = Object.keys(tooFewValues).length > 0 ? { tooFewValues } : {};
  if (predictionPsi === undefined) {
    logger.warn('too few values for a meaningful PSI; nothing published', { version, sampleSize, tooFewValues });
    return { ...base, status: 'TOO_FEW_VALUES', baselineUri, sampleSize, featurePsi, ...few };
  }
  const emit = deps.emit ?? writeEmf;
  const now = (deps.now ?? (() => new Date()))();
  for (const line of driftEmfLines({ model, category, predictionPsi, featurePsi, timestamp: now.getTime() })) emit(line);
  logger.info('drift published', { version, sampleSize, predictionPsi, featurePsi, skipped: prediction.counter.skipped, ...few });
  return { ...base, status: 'PUBLISHED', baselineUri, sampleSize, predictionPsi, featurePsi, ...few };
}

function counterFor(h: Histogram): { counter: BinCounter; expected: number[] } {
  const merged = h.type === 'numeric' ? mergeDegenerateBins(h) : h;
  return { counter: new BinCounter(merged), expected: baselineCounts(merged) };
}

/** The shortfall when the effective sample of a comparison is below the minimum, else undefined. */
function tooFew(expected: number[], actual: number[]): TooFewValues | undefined {
  const batch = actual.reduce((a, b) => a + b, 0);
  const baseline = expected.reduce((a, b) => a + b, 0);
  const effective = effectiveSampleSize(batch, baseline);
  const required = minimumSampleSize(expected.length);
  return effective >= required ? undefined : { batch, baseline, effective: Math.round(effective * 10) / 10, required };
}

interface LocatedBaseline {
  readonly baseline?: DriftBaseline;
  readonly uri?: string;
  /** URIs looked at, in order. */
  readonly tried: string[];
}

/**
 * The scored version's baseline: the URI its run recorded, else baseline.json where evaluation
 * looks for it, in the job output the version's artifact lives in (`.../output/model/`).
 */
async function findBaseline(deps: DriftComputeDeps, model: string, category: string, version: number): Promise<LocatedBaseline> {
  const v = await deps.registry.getVersion(model, category, version);
  const run = v?.runId ? await deps.registry.getRun(v.runId) : undefined;
  const candidates: string[] = [];
  if (run?.artifacts?.baseline) candidates.push(run.artifacts.baseline);
  for (const output of [jobOutputOf(v?.artifactUri), run?.artifacts?.output]) {
    if (output) candidates.push(`${output}model/${CONTAINER.baselineFile}`, `${output}data/${CONTAINER.baselineFile}`);
  }
  const tried: string[] = [];
  for (const uri of new Set(candidates)) {
    const found = await readBaseline(deps.s3, uri);
    tried.push(uri);
    if (found.baseline) return { ...found, tried };
  }
  return { tried };
}

/** `s3://b/<runPrefix><jobName>/output/` of a model artifact under `.../output/model/`, else undefined. */
function jobOutputOf(artifactUri: string | undefined): string | undefined {
  const m = artifactUri ? /^(s3:\/\/.+\/output\/)model\/?$/.exec(artifactUri) : null;
  return m ? m[1] : undefined;
}

async function readBaseline(s3: S3Client, uri: string): Promise<LocatedBaseline> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`baselineUri must look like s3://bucket/key, but ${JSON.stringify(uri)} was provided`);
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
    return { baseline: parseBaseline(await res.Body!.transformToString('utf8'), uri), uri, tried: [uri] };
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return { tried: [uri] };
    throw e;
  }
}

/** Every JSON object of every JSON Lines file under the prefix, streamed line by line. */
async function* readPredictions(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<Record<string, unknown>> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const obj of page.Contents ?? []) {
      // Skip folders, markers such as _SUCCESS and raw scoring output under _scoring/.
      if (!obj.Key || obj.Key.endsWith('/') || /(^|\/)_/.test(obj.Key.slice(prefix.length))) continue;
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: obj.Key }));
      let body = res.Body as Readable;
      if (obj.Key.endsWith('.gz')) body = body.pipe(createGunzip());
      const lines = createInterface({ input: body, crlfDelay: Infinity });
      for await (const line of lines) {
        const text = line.trim();
        if (text === '') continue;
        try {
          const v = JSON.parse(text);
          if (v && typeof v === 'object' && !Array.isArray(v)) yield v as Record<string, unknown>;
        } catch {
          logger.warn('skipped a line that is not JSON', { key: obj.Key });
        }
      }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

function validate(event: DriftComputeEvent): void {
  for (const field of ['model', 'category'] as const) {
    if (typeof event?.[field] !== 'string' || event[field] === '') {
      throw new Error(`event.${field} must be a non-empty string, but ${JSON.stringify(event?.[field])} was provided`);
    }
  }
  if (typeof event.executionDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(event.executionDate)) {
    throw new Error(`event.executionDate must be YYYY-MM-DD, but ${JSON.stringify(event.executionDate)} was provided`);
  }
  const datePrefix = layout.predictionsPrefix(event.model, event.category, event.executionDate);
  if (event.partsPrefix !== undefined && (typeof event.partsPrefix !== 'string' || !event.partsPrefix.startsWith(datePrefix) || !event.partsPrefix.endsWith('/'))) {
    throw new Error(`event.partsPrefix must be a folder under ${datePrefix}, but ${JSON.stringify(event.partsPrefix)} was provided: pass $.partsPrefix of the batch`);
  }
  if (!Number.isInteger(event.version) || event.version < 1) {
    throw new Error(`event.version must be the version that scored the batch (a whole number >= 1), but ${JSON.stringify(event.version)} was provided: pass $.version in the batch inference step's payload`);
  }
}

let deps: DriftComputeDeps | undefined;

export async function handler(event: DriftComputeEvent, context?: { awsRequestId?: string }): Promise<DriftComputeResult> {
  startInvocation(logger, context, { model: event?.model, category: event?.category });
  deps ??= {
    s3: new S3Client({}),
    registry: new ModelRegistryClient({ tableName: requireEnv(ENV.registryTable) }),
    predictionsBucket: requireEnv(ENV.predictionsBucket),
  };
  return computeDrift(event, deps);
}
