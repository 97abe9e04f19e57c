// What the engines say about an ended training job, turned into the run's `job` record: the
// failure reason, the status history, the billable seconds and links to the job and its log.
// Pure functions over the Describe* answers, shared by the job-ended handler and the CLI.
import type { JobDetail } from '@aws-sdk/client-batch';
import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { RunJob, RunJobStatus } from '../registry/types';

/** Log group SageMaker writes training job logs to (one stream per instance: `<job>/algo-<n>-<epoch>`). */
export const SAGEMAKER_TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';
/** Log group of Batch jobs whose job definition names none. */
export const BATCH_DEFAULT_LOG_GROUP = '/aws/batch/job';
/** Where the Batch staging wrapper writes why the training command failed, under the job's output prefix. */
export const BATCH_FAILURE_FILE = 'output/failure';

/** The EventBridge events of ended training jobs that explain runs (the construct's rule and the handler share them; no SDK import, so the construct can read it). */
export const JOB_STATE_EVENTS = {
  sageMaker: { source: 'aws.sagemaker', detailType: 'SageMaker Training Job State Change', endStatuses: ['Completed', 'Failed', 'Stopped'] },
  batch: { source: 'aws.batch', detailType: 'Batch Job State Change', endStatuses: ['SUCCEEDED', 'FAILED'] },
} as const;

/** The run and attempt a training job belongs to: job names are `<runId>-<attempt>`. */
export function runOfJob(jobName: string): { runId: string; attempt: number } | undefined {
  const m = /^(.+)-(\d{1,3})$/.exec(jobName);
  return m ? { runId: m[1], attempt: Number(m[2]) } : undefined;
}

/** Region of an ARN (`arn:aws:sagemaker:eu-west-1:...`). */
export function regionOf(arn: string | undefined): string {
  return arn?.split(':')[3] || 'us-east-1';
}

// The CloudWatch console reads names in its fragment URI-encoded twice with '%' written as '$'
// ('/' is $252F), and the fragment's own '?' and '=' encoded once ($3F, $3D).
const consoleEncode = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');

/** CloudWatch console link to a log stream, to the streams starting with `prefix`, or to the group. */
export function logConsoleUrl(region: string, logGroup: string, stream?: { name: string } | { prefix: string }): string {
  const base = `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${consoleEncode(logGroup)}`;
  if (stream === undefined) return base;
  return 'name' in stream ? `${base}/log-events/${consoleEncode(stream.name)}` : `${base}$3FlogStreamNameFilter$3D${consoleEncode(stream.prefix)}`;
}

const iso = (d: Date | undefined) => (d === undefined ? undefined : new Date(d).toISOString());
const isoMs = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The stream prefix of a SageMaker job's first instance. */
export const sageMakerLogStreamPrefix = (jobName: string) => `${jobName}/algo-1-`;

/** The run's job record from `DescribeTrainingJob`. */
export function sageMakerRunJob(d: DescribeTrainingJobResponse, attempt: number): RunJob {
  const name = d.TrainingJobName!;
  const region = regionOf(d.TrainingJobArn);
  const history: RunJobStatus[] = (d.SecondaryStatusTransitions ?? []).map((t) => strip({
    status: t.Status ?? 'Unknown', at: iso(t.StartTime), until: iso(t.EndTime), message: t.StatusMessage || undefined,
  }));
  return strip({
    engine: 'sagemaker',
    name,
    attempt,
    status: d.TrainingJobStatus ?? 'Unknown',
    failureReason: d.FailureReason || undefined,
    statusHistory: history,
    billableSeconds: d.BillableTimeInSeconds,
    consoleUrl: `https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/jobs/${encodeURIComponent(name)}`,
    logGroup: SAGEMAKER_TRAINING_LOG_GROUP,
    logStream: sageMakerLogStreamPrefix(name),
  });
}

/** Log group and stream of a Batch job (the awslogs driver's group, else Batch's default). */
export function batchLogLocation(job: JobDetail): { logGroup: string; logStream?: string } {
  const group = job.container?.logConfiguration?.options?.['awslogs-group'];
  return { logGroup: group || BATCH_DEFAULT_LOG_GROUP, logStream: job.container?.logStreamName ?? job.attempts?.at(-1)?.container?.logStreamName };
}

/**
 * The run's job record from `DescribeJobs`. The failure reason joins what Batch says (status
 * reason, the container's reason or exit code) with the staging wrapper's failure file.
 */
export function batchRunJob(job: JobDetail, attempt: number, failureFile?: string): RunJob {
  const region = regionOf(job.jobArn);
  const { logGroup, logStream } = batchLogLocation(job);
  const attempts = job.attempts ?? [];
  const history: RunJobStatus[] = attempts.map((a, i) => strip({
    status: `attempt ${i + 1}${a.container?.exitCode === undefined ? '' : `: exit ${a.container.exitCode}`}`,
    at: isoMs(a.startedAt), until: isoMs(a.stoppedAt),
    message: [a.statusReason, a.container?.reason].filter(Boolean).join('; ') || undefined,
  }));
  const ran = attempts.reduce((s, a) => s + (a.startedAt && a.stoppedAt ? Math.max(0, a.stoppedAt - a.startedAt) : 0), 0);
  const container = job.container?.reason ?? (job.container?.exitCode ? `exit code ${job.container.exitCode}` : undefined);
  const failed = job.status === 'FAILED';
  const reason = failed ? [job.statusReason, container, failureFile?.trim()].filter(Boolean).join('; ') : undefined;
  return strip({
    engine: 'batch',
    name: job.jobName!,
    id: job.jobId,
    attempt,
    status: job.status ?? 'UNKNOWN',
    failureReason: reason || undefined,
    statusHistory: history,
    billableSeconds: attempts.length ? Math.round(ran / 1000) : undefined,
    consoleUrl: `https://${region}.console.aws.amazon.com/batch/home?region=${region}#jobs/detail/${job.jobId}`,
    logGroup,
    logStream: logStream ?? '',
  });
}

/** The console link to the job's log. */
export function runJobLogUrl(job: RunJob, region: string): string {
  if (job.engine === 'sagemaker') return logConsoleUrl(region, job.logGroup, { prefix: job.logStream });
  // A Batch job that never started has no stream yet: the group it would have written to.
  return logConsoleUrl(region, job.logGroup, job.logStream ? { name: job.logStream } : undefined);
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
