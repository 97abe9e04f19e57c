import { layout } from '../contract';
import { ValidationError } from '../registry';
import * as v from '../registry/validate';
import { makeRunId } from './run-id';
import { ExecutionInput, PipelineConfig, PlanOutput, PlannedRun, RunItem } from './types';

export interface PlanContext {
  readonly config: PipelineConfig;
  readonly datasetsBucket: string;
  readonly artifactsBucket: string;
  /** Execution ARN (or a local id). */
  readonly executionId: string;
  /** Execution start time (ISO), the fallback for the execution date. */
  readonly startTime: string;
}

/**
 * Resolves what an execution trains: the execution date (given, from the scheduled time in the
 * pipeline's time zone, from the data-arrival object key, or the start date), one run per
 * category, input and output locations, and the hyperparameters (defaults, overridden per
 * execution). Pure: the handler adds the registry side effects.
 */
export function plan(input: ExecutionInput, ctx: PlanContext): PlanOutput {
  const { config } = ctx;
  const fromKey = input.objectKey !== undefined ? parseObjectKey(config.model, input.objectKey) : undefined;
  const executionDate = v.executionDate('executionDate', input.executionDate)
    ?? fromKey?.executionDate
    ?? (input.scheduledTime !== undefined ? dateInZone(v.isoTime('scheduledTime', input.scheduledTime)!, config.timeZone) : dateInZone(ctx.startTime, config.timeZone));
  const experiment = input.experiment ?? false;
  if (typeof experiment !== 'boolean') throw new ValidationError('experiment', input.experiment, 'use true or false');
  const trigger = v.optionalString('trigger', input.trigger, 64) ?? (input.scheduledTime ? 'schedule' : fromKey ? 'data-arrival' : 'manual');
  const categories = selectCategories(config.categories, input.categories ?? (fromKey ? [fromKey.category] : undefined));
  const hyperparameters = { ...config.hyperparameters, ...v.hyperparameters('hyperparameters', input.hyperparameters) };
  const referenceTime = input.scheduledTime !== undefined ? new Date(input.scheduledTime).toISOString()
    : input.executionDate !== undefined ? `${executionDate}T23:59:59.999Z`
      : ctx.startTime;

  const runs = categories.map((category) => ({ category, runId: makeRunId(config.model, category, executionDate, ctx.executionId, experiment) }));
  return { model: config.model, executionDate, experiment, trigger, executionId: ctx.executionId, referenceTime, hyperparameters, image: config.image, runs };
}

/** The planned runs of an execution with their shared fields (what the Map gives each branch). */
export function plannedRuns(planned: PlanOutput): PlannedRun[] {
  const { model, executionDate, experiment, trigger, executionId, hyperparameters, image } = planned;
  return planned.runs.map(({ category, runId }) => ({ model, category, runId, executionDate, experiment, trigger, executionId, hyperparameters, image }));
}

/**
 * A planned run's input and output locations (pure: every step derives them the same way). The
 * input is the dataset prefix, or the channel a pre-training step wrote under the run's prefix
 * (`config.channelInRun`).
 */
export function runItem(run: PlannedRun, buckets: { datasetsBucket: string; artifactsBucket: string; config?: Pick<PipelineConfig, 'channelInRun'> }): RunItem {
  const outputPrefix = layout.runPrefix(run.model, run.runId, run.experiment);
  const channelInRun = buckets.config?.channelInRun;
  const datasetBucket = channelInRun === undefined ? buckets.datasetsBucket : buckets.artifactsBucket;
  const datasetPrefix = channelInRun === undefined ? layout.datasetPrefix(run.model, run.category, run.executionDate) : `${outputPrefix}${channelInRun}`;
  return {
    model: run.model,
    category: run.category,
    runId: run.runId,
    executionDate: run.executionDate,
    experiment: run.experiment,
    trigger: run.trigger,
    executionId: run.executionId,
    hyperparameters: run.hyperparameters,
    ...(run.image === undefined ? {} : { image: run.image }),
    datasetBucket,
    datasetPrefix,
    datasetUri: `s3://${datasetBucket}/${datasetPrefix}`,
    outputBucket: buckets.artifactsBucket,
    outputPrefix,
    outputUri: `s3://${buckets.artifactsBucket}/${outputPrefix}`,
    checkpointUri: `s3://${buckets.artifactsBucket}/${outputPrefix}checkpoints/`,
    attempt: 1,
  };
}

function selectCategories(declared: readonly string[], requested: readonly string[] | undefined): string[] {
  if (requested === undefined) return [...declared];
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new ValidationError('categories', requested, `list one or more of the declared categories (${declared.join(', ')}), or leave it out to train all`);
  }
  const unknown = requested.filter((c) => !declared.includes(c));
  if (unknown.length > 0) {
    throw new ValidationError('categories', requested, `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not declared; use some of ${declared.join(', ')}`);
  }
  return [...new Set(requested)];
}

/** `<model>/<category>/<date>/...` (layout.datasetPrefix) -> category and date. */
export function parseObjectKey(model: string, key: string): { category: string; executionDate: string } {
  const parts = key.split('/');
  if (parts.length < 4 || parts[0] !== model || !/^\d{4}-\d{2}-\d{2}$/.test(parts[2])) {
    throw new ValidationError('objectKey', key, `expected a key under ${layout.datasetPrefix(model, '<category>', 'YYYY-MM-DD')}`);
  }
  return { category: parts[1], executionDate: parts[2] };
}

/** The calendar date (YYYY-MM-DD) of an instant in an IANA time zone. */
export function dateInZone(iso: string, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}
