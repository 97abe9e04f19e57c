// The runs and training jobs `mlops logs` and `mlops stop` act on: the run a --run value names
// (a run id, or an execution name or ARN), and the jobs its execution started, read from the
// execution history (running jobs are there before any job record is), else from the run.
import { BatchClient } from '@aws-sdk/client-batch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetExecutionHistoryCommand, HistoryEvent } from '@aws-sdk/client-sfn';
import { Run, ValidationError } from '../../lambda/shared/registry';
import { runOfJob } from '../../lambda/shared/training/job-details';
import { mlopsCommand } from '../command-line';
import { CliContext } from '../context';
import { CLI_ENV } from '../env';
import { NotFound, UsageError } from '../errors';

/** A training job an execution started. */
export interface JobRef {
  readonly engine: 'sagemaker' | 'batch';
  readonly name: string;
  /** Batch job id. */
  readonly id?: string;
  readonly runId: string;
  readonly attempt: number;
}

const endpoint = (ctx: CliContext, name: string) => (ctx.env[name] ? { endpoint: ctx.env[name] } : {});
/** Engine and log clients: the default AWS configuration, or MLOPS_ENDPOINT_* (local mode, tests). */
export const clients = {
  sageMaker: (ctx: CliContext) => new SageMakerClient(endpoint(ctx, CLI_ENV.sageMakerEndpoint)),
  batch: (ctx: CliContext) => new BatchClient(endpoint(ctx, CLI_ENV.batchEndpoint)),
  logs: (ctx: CliContext) => new CloudWatchLogsClient(endpoint(ctx, CLI_ENV.logsEndpoint)),
};

/**
 * The runs of `model` a --run value names: that run, or every run of that execution (name or
 * ARN), of `category` when given. Throws NotFound when there is none.
 */
export async function runsNamed(ctx: CliContext, model: string, runFlag: string, category?: string): Promise<Run[]> {
  const registry = await ctx.registry();
  const run = await registry.getRun(runFlag).catch((e) => { if (e instanceof ValidationError) return undefined; throw e; }); // e.g. an execution ARN
  const listRuns = `\`${mlopsCommand('runs', [model])}\``;
  if (run) {
    if (run.model !== model) throw new NotFound(`run ${runFlag} is a run of model "${run.model}", not "${model}"`, `give the model "${run.model}" instead, or list ${model}'s runs with ${listRuns}`);
    if (category !== undefined && run.category !== category) throw new NotFound(`run ${runFlag} is the ${run.category} run, not ${category}'s`, `leave out --category, or list the runs with ${listRuns}`);
    return [run];
  }
  const matches: Run[] = [];
  let nextToken: string | undefined;
  do {
    const page = await registry.listRuns({ model, category, nextToken, limit: 100 });
    matches.push(...page.items.filter((r) => r.executionArn !== undefined && (r.executionArn === runFlag || r.executionArn.endsWith(`:${runFlag}`))));
    nextToken = page.nextToken;
  } while (nextToken);
  if (matches.length === 0) throw new NotFound(`no run or execution "${runFlag}" of model "${model}"${category ? ` in category ${category}` : ''}`, `list the runs with ${listRuns}`);
  return matches;
}

/** The one run a --run value names; an execution of several categories needs --category. */
export async function oneRunNamed(ctx: CliContext, model: string, runFlag: string, category: string | undefined, command: 'logs'): Promise<Run> {
  const runs = await runsNamed(ctx, model, runFlag, category);
  if (runs.length > 1) {
    const categories = runs.map((r) => r.category).sort();
    throw new UsageError(`execution ${runFlag} trained ${runs.length} categories (${categories.join(', ')}); say which one`,
      `add --category, e.g. \`${mlopsCommand(command, [model], { run: runFlag, category: categories[0] })}\``);
  }
  return runs[0];
}

/** The training jobs an execution started, oldest first, from its history. */
export async function executionJobs(ctx: CliContext, executionArn: string): Promise<JobRef[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.sfn().send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000, includeExecutionData: true }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const jobs: JobRef[] = [];
  for (const e of events) {
    const ref = jobOf(e);
    if (ref && !jobs.some((j) => j.name === ref.name)) jobs.push(ref);
  }
  return jobs;
}

// SageMaker jobs are named in the task's parameters; Batch jobs get their id on submission.
function jobOf(e: HistoryEvent): JobRef | undefined {
  const scheduled = e.taskScheduledEventDetails;
  const submitted = e.taskSubmittedEventDetails;
  let ref: Omit<JobRef, 'runId' | 'attempt'> | undefined;
  if (scheduled?.resourceType === 'sagemaker' && scheduled.resource?.startsWith('createTrainingJob')) {
    const name = parse(scheduled.parameters)?.TrainingJobName;
    if (typeof name === 'string') ref = { engine: 'sagemaker', name };
  } else if (submitted?.resourceType === 'batch') {
    const out = parse(submitted.output);
    const name = out?.JobName ?? out?.jobName;
    const id = out?.JobId ?? out?.jobId;
    if (typeof name === 'string' && typeof id === 'string') ref = { engine: 'batch', name, id };
  }
  const of = ref && runOfJob(ref.name);
  return ref && of ? { ...ref, ...of } : undefined;
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  try {
    return text ? JSON.parse(text) as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/** The run's latest job: from its execution's history, else the job recorded on the run. */
export async function latestJobOf(ctx: CliContext, run: Run): Promise<JobRef | undefined> {
  const fromHistory = run.executionArn ? (await executionJobs(ctx, run.executionArn).catch((e) => {
    if ((e as { name?: string }).name === 'ExecutionDoesNotExist') return [];
    throw e;
  })).filter((j) => j.runId === run.runId) : [];
  const latest = fromHistory.sort((a, b) => a.attempt - b.attempt).at(-1);
  if (latest && (!run.job || latest.attempt >= run.job.attempt)) return latest;
  return run.job ? { engine: run.job.engine, name: run.job.name, id: run.job.id, runId: run.runId, attempt: run.job.attempt } : undefined;
}
