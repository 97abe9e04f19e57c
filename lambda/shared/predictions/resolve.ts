// The first step of batch inference: which version of each category to score, resolved from
// the registry at run time (categories with no production version are skipped), and the S3
// locations and job name of each scoring job.
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
  /** Where the scoring job writes its output archive. */
  readonly outputUri: string;
  /** Key of the output archive, known once the job name is. */
  readonly outputKey: string;
  /** Prefix of the JSON Lines part files in the predictions bucket. */
  readonly predictionsPrefix: string;
  readonly jobName: string;
  readonly generatedAt: string;
}

export interface ResolveOutput {
  readonly model: string;
  readonly executionDate: string;
  readonly generatedAt: string;
  readonly targets: ScoringTarget[];
  readonly skipped: Array<{ category: string; reason: string }>;
}

export interface ResolveContext {
  readonly registry: ModelRegistryClient;
  readonly datasetsBucket: string;
  readonly predictionsBucket: string;
  /** Categories scored when the execution names none. */
  readonly defaultCategories: readonly string[];
  readonly defaultImage?: string;
}

/** A SageMaker job name (<= 63 chars of [A-Za-z0-9-]) unique per execution and category. */
export function scoringJobName(model: string, category: string, executionName: string): string {
  const hash = createHash('sha256').update(`${executionName}/${model}/${category}`).digest('hex').slice(0, 12);
  const readable = `score-${model}-${category}`.replace(/[^A-Za-z0-9-]/g, '-').replace(/-+/g, '-').slice(0, 63 - hash.length - 1).replace(/-$/, '');
  return `${readable}-${hash}`;
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
    const jobName = scoringJobName(model, category, input.executionName);
    const predictionsPrefix = layout.predictionsPrefix(model, category, executionDate);
    const outputPrefix = `${predictionsPrefix}_scoring/`;
    targets.push({
      model, category, version: version.version, versionLabel: String(version.version), executionDate, image,
      modelUri: version.artifactUri,
      inputUri: `s3://${ctx.datasetsBucket}/${layout.datasetPrefix(model, category, executionDate)}`,
      outputUri: `s3://${ctx.predictionsBucket}/${outputPrefix}`,
      outputKey: `${outputPrefix}${jobName}/output/output.tar.gz`,
      predictionsPrefix, jobName, generatedAt,
    });
  }
  return { model, executionDate, generatedAt, targets, skipped };
}
