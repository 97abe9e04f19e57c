import { createHash } from 'node:crypto';
import { layout } from '../contract';
import { TrainingDeps } from './deps';
import { checkFile, newStats } from './data-checks';
import { runItem } from './plan';
import { getStream, getText, listAll, putJson } from './s3';
import { PlannedRun, RunItem } from './types';

/** Raised when a category's input data is not fit to train on; the message lists why. */
export class DataValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataValidationError';
  }
}

export interface DatasetManifest {
  readonly model: string;
  readonly category: string;
  readonly executionDate: string;
  readonly bucket: string;
  readonly prefix: string;
  /**
   * The objects validated. `versionId` (in a versioned bucket, as the platform's datasets bucket
   * is) reads back exactly that object for as long as the bucket keeps the version, even once
   * the key was overwritten.
   */
  readonly objects: Array<{ key: string; size: number; etag: string; versionId?: string; lastModified: string }>;
  readonly rows: number;
  readonly columns: string[];
  /** sha256 of the sorted (key, size, etag, versionId) list: the dataset version recorded on versions. */
  readonly datasetVersion: string;
  readonly createdAt: string;
}

/** A planned run and the instant its input's age is measured from (the execution's reference time). */
export type ValidationInput = PlannedRun & { readonly referenceTime: string };

/**
 * Checks one category's input before its training is paid for: objects exist under the date's
 * prefix, the newest is fresh enough, declared columns and types hold on a sample, and there
 * are enough rows. Runs inside the category's Map branch, so a late or bad category fails alone
 * (its run is recorded FAILED with every problem found) and the others train. Writes the
 * category's manifest (its hash is the dataset version; StartRun reads it back, so the
 * execution state stays small).
 *
 * With a feature set (`config.channelInRun`), the input is what the feature store query wrote
 * under the run's prefix (gzip JSON lines), and the checks mean: columns and types are the
 * training set's (labels and joined features, from the feature definitions; joined features
 * may be null), rows are the category's training rows, and maxAge applies to the newest event
 * time in them (the objects themselves were written minutes ago). The manifest is the run's own.
 */
export async function validateData(run: ValidationInput, deps: TrainingDeps): Promise<Pick<DatasetManifest, 'datasetVersion' | 'rows'>> {
  const item = runItem(run, deps);
  const { problems, manifest } = await validateCategory(item, run.referenceTime, deps);
  if (!manifest) throw new DataValidationError(problems.join('; '));
  await putJson(deps.s3, deps.artifactsBucket, manifestKey(item, deps), manifest);
  return { datasetVersion: manifest.datasetVersion, rows: manifest.rows };
}

/** The dataset version and row count validation recorded for a run's input (its manifest in S3). */
export async function readManifest(item: RunItem, deps: TrainingDeps): Promise<Pick<DatasetManifest, 'datasetVersion' | 'rows'> | undefined> {
  const text = await getText(deps.s3, deps.artifactsBucket, manifestKey(item, deps));
  if (text === undefined) return undefined;
  const { datasetVersion, rows } = JSON.parse(text) as DatasetManifest;
  return { datasetVersion, rows };
}

/**
 * A dataset prefix is the date's, shared by every run of that date; a feature set is one run's
 * (a concurrent run of the same date queries at another time), so its manifest is per run.
 */
function manifestKey(item: RunItem, deps: TrainingDeps): string {
  const key = layout.manifestKey(item.model, item.category, item.executionDate);
  return deps.config.channelInRun === undefined ? key : key.replace(/manifest\.json$/, `${item.runId}/manifest.json`);
}

async function validateCategory(item: RunItem, referenceTime: string, deps: TrainingDeps): Promise<{ item: RunItem; problems: string[]; manifest?: DatasetManifest }> {
  const spec = deps.config.validation;
  const objects = (await listAll(deps.s3, item.datasetBucket, item.datasetPrefix))
    .filter((o) => o.Key && !isMarker(o.Key) && (o.Size ?? 0) > 0)
    .sort((a, b) => a.Key!.localeCompare(b.Key!));
  const location = `s3://${item.datasetBucket}/${item.datasetPrefix}`;
  if (objects.length === 0) {
    return {
      item, problems: [deps.config.channelInRun === undefined
        ? `no data under ${location} (upload ${spec.format} files there, or start the execution with another executionDate)`
        : `the feature query wrote no rows for category ${item.category} under ${location} (the labels group has no rows for this category with an event time up to the execution's reference time: put labels records, or run a later date)`],
    };
  }
  const problems: string[] = [];
  const age = (newest: number) => (Date.parse(referenceTime) - newest) / 1000;
  const tooOld = (what: string, newest: number) => `${what} is ${Math.round(age(newest) / 3600)} h old at ${referenceTime}, older than the allowed ${Math.round(spec.maxAgeSeconds / 3600)} h`;
  const newestObject = Math.max(...objects.map((o) => (o.LastModified ?? new Date(0)).getTime()));
  if (spec.maxAgeSeconds > 0 && spec.eventTimeColumn === undefined && age(newestObject) > spec.maxAgeSeconds) problems.push(tooOld('newest input object', newestObject));
  const stats = newStats();
  const versionIds = new Map<string, string>();
  for (const o of objects) {
    const { body, versionId } = await getStream(deps.s3, item.datasetBucket, o.Key!);
    if (versionId) versionIds.set(o.Key!, versionId);
    // A query result's object names mean nothing to its reader: problems name the whole URI.
    await checkFile(body, deps.config.channelInRun === undefined ? o.Key!.slice(item.datasetPrefix.length) : `${location}${o.Key!.slice(item.datasetPrefix.length)}`, spec, stats);
  }
  problems.push(...stats.problems);
  const newestEvent = stats.newestEventTime;
  if (spec.maxAgeSeconds > 0 && spec.eventTimeColumn !== undefined && newestEvent !== undefined && age(newestEvent) > spec.maxAgeSeconds) {
    problems.push(tooOld(`newest ${spec.eventTimeColumn} in the training set`, newestEvent));
  }
  if (stats.rows < spec.minRows) problems.push(`${stats.rows} rows, fewer than the required ${spec.minRows}`);
  if (problems.length > 0) return { item, problems };

  const entries = objects.map((o) => ({
    key: o.Key!, size: o.Size ?? 0, etag: (o.ETag ?? '').replace(/"/g, ''), versionId: versionIds.get(o.Key!), lastModified: (o.LastModified ?? new Date(0)).toISOString(),
  }));
  const datasetVersion = `sha256:${createHash('sha256').update(JSON.stringify(entries.map((e) => [e.key, e.size, e.etag, ...(e.versionId ? [e.versionId] : [])]))).digest('hex')}`;
  return {
    item,
    problems,
    manifest: {
      model: item.model,
      category: item.category,
      executionDate: item.executionDate,
      bucket: item.datasetBucket,
      prefix: item.datasetPrefix,
      objects: entries,
      rows: stats.rows,
      columns: stats.columns ?? [],
      datasetVersion,
      createdAt: deps.now().toISOString(),
    },
  };
}

/** Markers and hidden files (`_SUCCESS`, `.keep`) are not data. */
function isMarker(key: string): boolean {
  const name = key.split('/').pop() ?? '';
  return name.startsWith('_') || name.startsWith('.') || key.endsWith('/');
}
