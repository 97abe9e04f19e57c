import { BatchClient, DescribeJobsCommand } from '@aws-sdk/client-batch';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { layout } from '../contract';
import { ValidationError } from '../registry/errors';
import { RunJob } from '../registry/types';
import { TrainingDeps, logWith } from './deps';
import { BATCH_FAILURE_FILE, JOB_STATE_EVENTS, batchRunJob, regionOf, runJobLogUrl, runOfJob, sageMakerRunJob } from './job-details';

/** "SageMaker Training Job State Change" (the fields used). */
export interface SageMakerJobStateEvent {
  readonly 'detail-type': typeof JOB_STATE_EVENTS.sageMaker.detailType;
  readonly detail: { readonly TrainingJobName: string; readonly TrainingJobStatus: string };
}

/** "Batch Job State Change" (the fields used). */
export interface BatchJobStateEvent {
  readonly 'detail-type': typeof JOB_STATE_EVENTS.batch.detailType;
  readonly detail: { readonly jobName: string; readonly jobId: string; readonly status: string };
}

export type JobStateEvent = SageMakerJobStateEvent | BatchJobStateEvent;

/** The engine clients the handler describes jobs with; injectable so tests point them at a stub. */
export interface JobClients {
  readonly sageMaker: SageMakerClient;
  readonly batch: BatchClient;
}

let cached: JobClients | undefined;

/** Clients from the Lambda environment, built once per container. */
export function jobClientsFromEnv(): JobClients {
  cached ??= { sageMaker: new SageMakerClient({}), batch: new BatchClient({}) };
  return cached;
}

/** What explaining one ended job did. */
export interface JobExplanation {
  readonly runId?: string;
  /** Whether the run now holds this job. */
  readonly recorded: boolean;
  /** Why nothing was recorded. */
  readonly skipped?: string;
  readonly job?: RunJob;
}

/**
 * Records an ended training job on its run: the failure reason, status history, billable seconds,
 * console and log links (`job`), and the run's `logUrl`. Runs as soon as the job ends, whatever
 * the branch does next, and whatever the run's status. Jobs of other models (a name prefix shared
 * with this model's) and unknown runs are skipped. Idempotent; a later attempt is never replaced.
 */
export async function explainEndedJob(event: JobStateEvent, deps: TrainingDeps, clients: JobClients): Promise<JobExplanation> {
  const name = event['detail-type'] === JOB_STATE_EVENTS.sageMaker.detailType ? event.detail.TrainingJobName : event.detail.jobName;
  const of = runOfJob(name);
  if (!of) return { recorded: false, skipped: `job ${name} is not named <runId>-<attempt>` };
  // A name that is no valid run id is no run of ours either.
  const run = await deps.registry.getRun(of.runId).catch((e) => { if (e instanceof ValidationError) return undefined; throw e; });
  if (!run || run.model !== deps.config.model) return { runId: of.runId, recorded: false, skipped: `no run ${of.runId} of ${deps.config.model}` };

  let job: RunJob;
  let region: string;
  if (event['detail-type'] === JOB_STATE_EVENTS.sageMaker.detailType) {
    const d = await clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    job = sageMakerRunJob(d, of.attempt);
    region = regionOf(d.TrainingJobArn);
  } else {
    const found = (await clients.batch.send(new DescribeJobsCommand({ jobs: [event.detail.jobId] }))).jobs?.[0];
    if (!found) return { runId: of.runId, recorded: false, skipped: `Batch job ${event.detail.jobId} no longer exists` };
    const failureFile = found.status === 'FAILED' ? await readFailureFile(`${layout.runPrefix(run.model, run.runId, run.experiment)}${name}/${BATCH_FAILURE_FILE}`, deps) : undefined;
    job = batchRunJob(found, of.attempt, failureFile);
    region = regionOf(found.jobArn);
  }
  const recorded = await deps.registry.recordRunJob({ runId: run.runId, job, logUrl: runJobLogUrl(job, region) });
  logWith(deps)('INFO', recorded ? 'training job recorded on its run' : 'a later attempt is already recorded on the run', { runId: run.runId, job: name, status: job.status });
  return { runId: run.runId, recorded: recorded !== undefined, job };
}

/** The staging wrapper's failure file (at most 4 KiB of it); undefined when there is none or it cannot be read. */
async function readFailureFile(key: string, deps: TrainingDeps): Promise<string | undefined> {
  try {
    const res = await deps.s3.send(new GetObjectCommand({ Bucket: deps.artifactsBucket, Key: key, Range: 'bytes=0-4095' }));
    return await res.Body?.transformToString('utf-8');
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name !== 'NoSuchKey' && name !== 'NotFound') logWith(deps)('WARN', 'the failure file of a Batch job could not be read', { key, error: `${name}: ${(e as Error).message}` });
    return undefined;
  }
}
