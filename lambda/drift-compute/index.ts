// Drift of one (model, category, date) batch: PSI of the prediction distribution and of the
// declared input features against the baseline recorded at evaluation time for the production
// version, published as CloudWatch metrics (EMF). Batch inference invokes it after scoring.
//
// Predictions: JSON Lines files (optionally .gz) under layout.predictionsPrefix(model, category,
// date) in the predictions bucket, one object per line:
//   { "prediction": 0.42, "features": { "price": 12.5, "region": "eu" }, ... }
// Features are read from `features` when present, else from the top level of the line.
// Baseline: the run's artifacts.baseline URI when the run recorded one, else
// s3://<artifacts>/runs/<model>/<runId>/output/baseline.json (CONTAINER.baselineFile).
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CONTAINER, layout } from '../shared/contract';
import { writeEmf } from '../shared/emf';
import { ENV, requireEnv } from '../shared/env';
import { DriftBaseline, parseBaseline } from '../shared/monitoring/baseline';
import { driftEmfLines } from '../shared/monitoring/emf';
import { createLogger, startInvocation } from '../shared/monitoring/logger';
import { BinCounter, Histogram, baselineCounts, mergeDegenerateBins, psi } from '../shared/monitoring/psi';
import { ModelRegistryClient } from '../shared/registry';

export interface DriftComputeEvent {
  readonly model: string;
  readonly category: string;
  /** YYYY-MM-DD of the batch. */
  readonly executionDate: string;
  /** Overrides where the baseline is read from (s3://bucket/key). */
  readonly baselineUri?: string;
  /** Declared input features to compute drift for. @default every feature in the baseline */
  readonly features?: string[];
}

export interface DriftComputeResult {
  readonly status: 'PUBLISHED' | 'NO_PRODUCTION_VERSION' | 'NO_BASELINE' | 'NO_PREDICTIONS';
  readonly model: string;
  readonly category: string;
  readonly executionDate: string;
  readonly version?: number;
  readonly baselineUri?: string;
  readonly sampleSize: number;
  readonly predictionPsi?: number;
  readonly featurePsi: Record<string, number | undefined>;
}

export interface DriftComputeDeps {
  readonly s3: S3Client;
  readonly registry: Pick<ModelRegistryClient, 'getProduction' | 'getVersion' | 'getRun'>;
  readonly artifactsBucket: string;
  readonly predictionsBucket: string;
  /** Where EMF lines go. @default writeEmf (process.stdout, intact under the JSON log format) */
  readonly emit?: (line: string) => void;
  readonly now?: () => Date;
}

const logger = createLogger('drift-compute');

export async function computeDrift(event: DriftComputeEvent, deps: DriftComputeDeps): Promise<DriftComputeResult> {
  validate(event);
  const { model, category, executionDate } = event;
  const base = { model, category, executionDate, sampleSize: 0, featurePsi: {} };
  const pointer = await deps.registry.getProduction(model, category);
  if (!pointer) {
    logger.warn('no production version: drift has no baseline to compare with');
    return { ...base, status: 'NO_PRODUCTION_VERSION' };
  }
  const baselineUri = event.baselineUri ?? await defaultBaselineUri(deps, model, category, pointer.version);
  const baseline = baselineUri === undefined ? undefined : await readBaseline(deps.s3, baselineUri);
  if (!baseline) {
    logger.warn('no drift baseline for the production version; the training run should write baseline.json', { version: pointer.version, baselineUri });
    return { ...base, status: 'NO_BASELINE', version: pointer.version, baselineUri };
  }

  const wanted = event.features ?? Object.keys(baseline.features);
  const missing = wanted.filter((f) => baseline.features[f] === undefined);
  if (missing.length > 0) logger.warn('declared features missing from the baseline are skipped', { missing });
  const features = wanted.filter((f) => baseline.features[f] !== undefined);

  const prediction = counterFor(baseline.prediction);
  const featureCounters = new Map(features.map((f) => [f, counterFor(baseline.features[f])]));
  let sampleSize = 0;
  for await (const record of readPredictions(deps.s3, deps.predictionsBucket, layout.predictionsPrefix(model, category, executionDate))) {
    sampleSize++;
    prediction.counter.add(record.prediction);
    const source = (record.features && typeof record.features === 'object' ? record.features : record) as Record<string, unknown>;
    for (const [f, c] of featureCounters) c.counter.add(source[f]);
  }
  if (sampleSize === 0) {
    logger.warn('no predictions for the batch; nothing to compare (the freshness alarms cover missing batches)');
    return { ...base, status: 'NO_PREDICTIONS', version: pointer.version, baselineUri };
  }

  const predictionPsi = psi(prediction.expected, prediction.counter.counts);
  const featurePsi: Record<string, number | undefined> = {};
  for (const [f, c] of featureCounters) featurePsi[f] = psi(c.expected, c.counter.counts);
  const emit = deps.emit ?? writeEmf;
  const now = (deps.now ?? (() => new Date()))();
  for (const line of driftEmfLines({ model, category, predictionPsi, featurePsi, timestamp: now.getTime() })) emit(line);
  logger.info('drift published', { version: pointer.version, sampleSize, predictionPsi, featurePsi, skipped: prediction.counter.skipped });
  return { ...base, status: 'PUBLISHED', version: pointer.version, baselineUri, sampleSize, predictionPsi, featurePsi };
}

function counterFor(h: Histogram): { counter: BinCounter; expected: number[] } {
  const merged = h.type === 'numeric' ? mergeDegenerateBins(h) : h;
  return { counter: new BinCounter(merged), expected: baselineCounts(merged) };
}

async function defaultBaselineUri(deps: DriftComputeDeps, model: string, category: string, version: number): Promise<string | undefined> {
  const v = await deps.registry.getVersion(model, category, version);
  if (!v?.runId) return undefined;
  const run = await deps.registry.getRun(v.runId);
  const recorded = run?.artifacts?.baseline;
  if (recorded) return recorded;
  return `s3://${deps.artifactsBucket}/${layout.runPrefix(model, v.runId, run?.experiment ?? false)}output/${CONTAINER.baselineFile}`;
}

async function readBaseline(s3: S3Client, uri: string): Promise<DriftBaseline | undefined> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`baselineUri must look like s3://bucket/key, but ${JSON.stringify(uri)} was provided`);
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
    return parseBaseline(await res.Body!.transformToString('utf8'), uri);
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
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
}

let deps: DriftComputeDeps | undefined;

export async function handler(event: DriftComputeEvent, context?: { awsRequestId?: string }): Promise<DriftComputeResult> {
  startInvocation(logger, context, { model: event?.model, category: event?.category });
  deps ??= {
    s3: new S3Client({}),
    registry: new ModelRegistryClient({ tableName: requireEnv(ENV.registryTable) }),
    artifactsBucket: requireEnv(ENV.artifactsBucket),
    predictionsBucket: requireEnv(ENV.predictionsBucket),
  };
  return computeDrift(event, deps);
}
