// The first step of batch inference: which version of each category to score, resolved from
// the registry at run time (categories with no production version are skipped), and the S3
// locations and job name of each scoring job. The scoring role may only read and write the
// platform's prefixes and pull the model's images; a version whose artifact or image lies
// elsewhere (a registry entry written by hand) is rejected here, before any job starts.
import { createHash } from 'node:crypto';
import { layout } from '../contract';
import { ValidationError } from '../registry/errors';
import { ModelRegistryClient } from '../registry/client';
import * as v from '../registry/validate';

export interface ResolveInput {
  readonly model: string;
  readonly executionDate: string;
  readonly categories?: string[];
  /** Execution name (scoring job names must be unique per account and region). */
  readonly executionName: string;
  /** Execution start time: the batch's generatedAt. */
  readonly startedAt: string;
}

export interface ScoringTarget {
  readonly model: string;
  readonly category: string;
  readonly version: number;
  /** The version as a string (container environment values are strings). */
  readonly versionLabel: string;
  readonly executionDate: string;
  readonly image: string;
  /** The version's model artifact (scoring job channel "model"). */
  readonly modelUri: string;
  /** Input data of the day (channel "scoring"). */
  readonly inputUri: string;
  /** Where the scoring job writes its output (`<outputPrefix><jobName>/output/output.tar.gz`). */
  readonly outputUri: string;
  /** Key prefix of outputUri in the predictions bucket. */
  readonly outputPrefix: string;
  /** Prefix of this execution's JSON Lines part files in the predictions bucket. */
  readonly partsPrefix: string;
  /** Scoring job name without the per-attempt suffix the state machine appends. */
  readonly jobBase: string;
  readonly generatedAt: string;
}

export interface ResolveOutput {
  readonly model: string;
  readonly executionDate: string;
  readonly generatedAt: string;
  readonly targets: ScoringTarget[];
  readonly skipped: Array<{ category: string; reason: string }>;
  /** Categories whose production version may not be scored (artifact or image outside the platform); the execution fails. */
  readonly rejected: Array<{ category: string; reason: string }>;
}

export interface ResolveContext {
  readonly registry: ModelRegistryClient;
  readonly datasetsBucket: string;
  readonly artifactsBucket: string;
  readonly predictionsBucket: string;
  /** Categories scored when the execution names none. */
  readonly defaultCategories: readonly string[];
  readonly defaultImage?: string;
  /** ECR repository URI (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`) the images must come from, besides defaultImage. */
  readonly imageRepository?: string;
}

/** Characters the state machine appends to a job base name: "-" and 8 hex digits, fresh per attempt. */
export const JOB_ATTEMPT_SUFFIX_LENGTH = 9;

/** Scoring job names start with this (the state machine's IAM scope). */
export function scoringJobPrefix(model: string): string {
  return `score-${model}`.slice(0, 63 - JOB_ATTEMPT_SUFFIX_LENGTH - 13);
}

/**
 * The base of the SageMaker job names (<= 63 chars of [A-Za-z0-9-] once the per-attempt
 * suffix is appended), unique per execution and category.
 */
export function scoringJobName(model: string, category: string, executionName: string): string {
  const hash = createHash('sha256').update(`${executionName}/${model}/${category}`).digest('hex').slice(0, 12);
  // Model names are already [a-z0-9-], so the name starts with scoringJobPrefix(model).
  const readable = `score-${model}-${category}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63 - JOB_ATTEMPT_SUFFIX_LENGTH - hash.length - 1);
  return `${readable}-${hash}`;
}

/**
 * Parts of one execution live under their own prefix: a drift retrain and the daily run of the
 * same date never share (or delete) each other's parts.
 */
export function partsPrefix(model: string, category: string, executionDate: string, executionName: string): string {
  const hash = createHash('sha256').update(executionName).digest('hex').slice(0, 8);
  const readable = executionName.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40);
  return `${layout.predictionsPrefix(model, category, executionDate)}${readable}-${hash}/`;
}

/** Why an s3:// URI is not under s3://<bucket>/<prefix>, or undefined when it is. */
function outsidePrefix(uri: string, bucket: string, prefix: string): string | undefined {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (m && m[1] === bucket && m[2].startsWith(prefix) && !m[2].split('/').includes('..')) return undefined;
  return `${JSON.stringify(uri)} is not under s3://${bucket}/${prefix}`;
}

function imageAllowed(image: string, ctx: ResolveContext): boolean {
  if (image === ctx.defaultImage) return true;
  const repo = ctx.imageRepository;
  return repo !== undefined && (image.startsWith(`${repo}:`) || image.startsWith(`${repo}@`));
}

export async function resolveScoringTargets(ctx: ResolveContext, input: ResolveInput): Promise<ResolveOutput> {
  const model = v.modelName('model', input.model);
  // A scheduled run passes the event time (ISO timestamp): its date is the execution date.
  const rawDate = typeof input.executionDate === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(input.executionDate) ? input.executionDate.slice(0, 10) : input.executionDate;
  const executionDate = v.executionDate('executionDate', rawDate);
  if (executionDate === undefined) throw new ValidationError('executionDate', input.executionDate, 'use a calendar date as YYYY-MM-DD');
  const requested = input.categories ?? [...ctx.defaultCategories];
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new ValidationError('categories', input.categories, 'name the categories to score, or declare them on the BatchInference construct');
  }
  const categories = [...new Set(requested.map((c, i) => v.category(`categories[${i}]`, c)))];
  const generatedAt = new Date(Number.isNaN(Date.parse(input.startedAt)) ? Date.now() : Date.parse(input.startedAt)).toISOString();
  const targets: ScoringTarget[] = [];
  const skipped: Array<{ category: string; reason: string }> = [];
  const rejected: Array<{ category: string; reason: string }> = [];
  for (const category of categories) {
    const pointer = await ctx.registry.getProduction(model, category);
    if (!pointer) { skipped.push({ category, reason: 'no production version yet (served by its rules until one is promoted)' }); continue; }
    const version = await ctx.registry.getVersion(model, category, pointer.version);
    if (!version) { skipped.push({ category, reason: `production version ${pointer.version} is missing from the registry` }); continue; }
    const image = version.image ?? ctx.defaultImage;
    if (!image) {
      throw new ValidationError(`image of ${model}/${category} version ${version.version}`, undefined,
        'register versions with the image that trained them, or set scoringImage on the BatchInference construct');
    }
    const outputPrefix = `${layout.predictionsPrefix(model, category, executionDate)}_scoring/`;
    const target: ScoringTarget = {
      model, category, version: version.version, versionLabel: String(version.version), executionDate, image,
      modelUri: version.artifactUri,
      inputUri: `s3://${ctx.datasetsBucket}/${layout.datasetPrefix(model, category, executionDate)}`,
      outputUri: `s3://${ctx.predictionsBucket}/${outputPrefix}`,
      outputPrefix,
      partsPrefix: partsPrefix(model, category, executionDate, input.executionName),
      jobBase: scoringJobName(model, category, input.executionName),
      generatedAt,
    };
    const problems = [
      outsidePrefix(target.modelUri, ctx.artifactsBucket, `runs/${model}/`),
      outsidePrefix(target.inputUri, ctx.datasetsBucket, `${model}/`),
      outsidePrefix(target.outputUri, ctx.predictionsBucket, `${model}/`),
      imageAllowed(image, ctx) ? undefined : `image ${JSON.stringify(image)} is neither the model's scoring image nor in its repository ${ctx.imageRepository ?? '(none)'}`,
    ].filter((p): p is string => p !== undefined);
    if (problems.length > 0) {
      rejected.push({ category, reason: `version ${version.version} may not be scored: ${problems.join('; ')}. Register versions through the training pipeline, or promote one that was` });
      continue;
    }
    targets.push(target);
  }
  return { model, executionDate, generatedAt, targets, skipped, rejected };
}
