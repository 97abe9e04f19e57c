// One window's delivery: for each category, the job's output files under the staging prefix are
// schema-checked, joined into one part and written under a key derived from the window (a re-run
// overwrites that part only); then a manifest, the metrics and the data-arrival event.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Readable } from 'node:stream';
import { METRICS } from '../contract';
import { emfLine, writeEmf } from '../emf';
import { DataStats, checkFile, newStats } from '../training/data-checks';
import { listAll } from '../training/s3';
import { DataValidationConfig } from '../training/types';
import { INGESTION_EVENTS, INGESTION_METRICS } from './constants';
import { IngestionWindow, manifestKey, partKey, windowLabel } from './window';

/** What the construct fixes for a model's deliveries (the handler's MLOPS_INGEST_CONFIG). */
export interface DeliveryConfig {
  readonly model: string;
  readonly categories: readonly string[];
  /** The datasets bucket. */
  readonly bucket: string;
  /** `data.location` inside the datasets bucket, ending in "/". */
  readonly location: string;
  /** Bucket and prefix the job's output lands in, one run per `<prefix><runId>/`. */
  readonly stagingBucket: string;
  readonly stagingPrefix: string;
  readonly timeZone: string;
  /** The spec's schema checks (format, columns, types on a sample). */
  readonly validation: Pick<DataValidationConfig, 'format' | 'columns' | 'sampleRows'>;
  /** EventBridge bus of the data-arrival event. */
  readonly eventBusName: string;
  /** KMS key of the datasets bucket (SSE-KMS on the written parts). */
  readonly kmsKeyId?: string;
}

/** Detail of the `Data Arrived` event: one delivered window. */
export interface DataArrivedDetail {
  readonly model: string;
  readonly window: IngestionWindow;
  /** The date the parts are filed under (`<location><category>/<date>/`): the training execution date they feed. */
  readonly date: string;
  /** `<HHmm>-<N>m`: the window within its date. */
  readonly label: string;
  readonly manifestKey: string;
  readonly rows: number;
  /** Categories with a written part. */
  readonly categories: string[];
  readonly parts: DeliveredPart[];
}

export interface DeliveryInput {
  readonly window: IngestionWindow;
  /** The execution's name: where the job's output was staged; not part of any written key. */
  readonly runId: string;
}

/** One category's part of a window. */
export interface DeliveredPart {
  readonly category: string;
  /** Key written; undefined when the category had no row or failed its checks. */
  readonly key?: string;
  readonly versionId?: string;
  readonly rows: number;
  readonly bytes: number;
  readonly files: number;
  readonly problems: string[];
}

export interface DeliveryManifest {
  readonly model: string;
  readonly window: IngestionWindow;
  readonly runId: string;
  readonly deliveredAt: string;
  readonly rows: number;
  readonly parts: DeliveredPart[];
}

export interface DeliveryDeps {
  readonly s3: S3Client;
  readonly events: Pick<EventBridgeClient, 'send'>;
  readonly now: () => Date;
  /**
   * Where the metrics (CloudWatch embedded metric format lines) go.
   * @default writeEmf: stdout, which Lambda sends to CloudWatch Logs
   */
  readonly emit?: (lines: string) => void;
}

/** Thrown after the manifest is written when a category's output failed the schema checks. */
export class DeliveryRejected extends Error {
  override readonly name = 'DeliveryRejected';
}

export async function deliverWindow(input: DeliveryInput, config: DeliveryConfig, deps: DeliveryDeps): Promise<DeliveryManifest & { readonly manifestKey: string }> {
  const parts: DeliveredPart[] = [];
  for (const category of config.categories) parts.push(await deliverCategory(category, input, config, deps.s3));
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const manifest: DeliveryManifest = { model: config.model, window: input.window, runId: input.runId, deliveredAt: deps.now().toISOString(), rows, parts };
  const key = manifestKey(config.location, input.window, config.timeZone);
  await put(deps.s3, config, key, JSON.stringify(manifest, null, 2), 'application/json');

  (deps.emit ?? writeEmf)(emfLine({
    timestamp: deps.now().getTime(),
    dimensions: { [METRICS.dimensions.model]: config.model },
    dimensionSets: [[METRICS.dimensions.model]],
    metrics: [
      { name: INGESTION_METRICS.rowsDelivered, unit: 'Count', value: rows },
      { name: INGESTION_METRICS.emptyDeliveries, unit: 'Count', value: rows === 0 ? 1 : 0 },
    ],
  }));
  const rejected = parts.filter((p) => p.problems.length > 0);
  if (rejected.length > 0) {
    throw new DeliveryRejected(`ingestion of ${config.model} for ${input.window.start}..${input.window.end}: ${rejected.map((p) => `${p.category}: ${p.problems.join('; ')}`).join(' | ')}. `
      + 'Fix the ingestion job\'s output (or data.schema) and re-run the window; the other categories were written.');
  }
  const delivered = parts.filter((p) => p.key);
  if (delivered.length > 0) {
    await deps.events.send(new PutEventsCommand({
      Entries: [{
        EventBusName: config.eventBusName, Source: INGESTION_EVENTS.source, DetailType: INGESTION_EVENTS.dataArrived,
        Detail: JSON.stringify({
          model: config.model, window: input.window, ...windowLabel(input.window, config.timeZone), manifestKey: key, rows,
          categories: delivered.map((p) => p.category), parts: delivered,
        } satisfies DataArrivedDetail),
      }],
    }));
  }
  return { ...manifest, manifestKey: key };
}

async function deliverCategory(category: string, input: DeliveryInput, config: DeliveryConfig, s3: S3Client): Promise<DeliveredPart> {
  const prefix = `${config.stagingPrefix}${input.runId}/${category}/`;
  const objects = (await listAll(s3, config.stagingBucket, prefix)).filter((o) => o.Key && !o.Key.endsWith('/')).sort((a, b) => a.Key!.localeCompare(b.Key!));
  const stats: DataStats = newStats();
  const bodies: string[] = [];
  for (const o of objects) {
    const text = await (await s3.send(new GetObjectCommand({ Bucket: config.stagingBucket, Key: o.Key }))).Body!.transformToString('utf8');
    const spec = { ...config.validation, minRows: 0, maxAgeSeconds: 0 };
    await checkFile(Readable.from([text]), o.Key!.slice(prefix.length), spec, stats);
    bodies.push(text);
  }
  const base = { category, rows: stats.rows, files: objects.length, problems: stats.problems };
  if (stats.problems.length > 0 || stats.rows === 0) return { ...base, bytes: 0 };
  const body = join(bodies, config.validation.format);
  const key = partKey(config.location, category, input.window, config.timeZone, config.validation.format);
  const versionId = await put(s3, config, key, body, config.validation.format === 'csv' ? 'text/csv' : 'application/x-ndjson');
  return { ...base, key, bytes: Buffer.byteLength(body), ...(versionId ? { versionId } : {}) };
}

/** One part from several files: csv keeps the first header only; every part ends in a newline. */
function join(bodies: string[], format: 'csv' | 'jsonl'): string {
  const withNl = (s: string) => (s === '' || s.endsWith('\n') ? s : `${s}\n`);
  if (format === 'jsonl') return bodies.map(withNl).join('');
  return bodies.map((b, i) => withNl(i === 0 ? b : b.slice(b.indexOf('\n') + 1 || b.length))).join('');
}

async function put(s3: S3Client, config: DeliveryConfig, key: string, body: string, contentType: string): Promise<string | undefined> {
  const res = await s3.send(new PutObjectCommand({
    Bucket: config.bucket, Key: key, Body: body, ContentType: contentType,
    ...(config.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: config.kmsKeyId } : {}),
  }));
  return res.VersionId && res.VersionId !== 'null' ? res.VersionId : undefined;
}
