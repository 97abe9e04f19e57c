import { DescribeJobsCommand } from '@aws-sdk/client-batch';
import { DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { Run } from '../../lambda/shared/registry';
import { SAGEMAKER_TRAINING_LOG_GROUP, batchLogLocation, sageMakerLogStreamPrefix } from '../../lambda/shared/training/job-details';
import { mlopsCommand } from '../command-line';
import { COMMAND_TABLE } from '../command-table';
import { CliContext } from '../context';
import { NotFound, UsageError } from '../errors';
import { json } from '../output';
import { Command } from './command';
import { JobRef, clients, latestJobOf, oneRunNamed } from './run-jobs';

/** `mlops logs <model> --run R`: the tail of the run's latest training job log, from CloudWatch Logs. */
export const logsCommand: Command = {
  ...COMMAND_TABLE.logs,
  async run(ctx, { positionals: [model], flags }) {
    const lines = flags.lines === undefined ? 50 : Number(flags.lines);
    if (!Number.isInteger(lines) || lines < 1 || lines > 10_000) throw new UsageError(`--lines ${flags.lines} is not a number from 1 to 10000`, 'write e.g. --lines 200');
    const run = await oneRunNamed(ctx, model, String(flags.run), flags.category as string | undefined, 'logs');
    const job = await latestJobOf(ctx, run);
    if (!job) {
      throw new NotFound(`run ${run.runId} has no training job${run.failureCause ? `: it ended before training (${run.failureCause.split('\n')[0]})` : ' yet'}`,
        `see the run with \`${mlopsCommand('runs', [model], { category: run.category })}\``);
    }
    const { logGroup, logStream } = await logLocation(ctx, run, job);
    const res = await clients.logs(ctx).send(new GetLogEventsCommand({ logGroupName: logGroup, logStreamName: logStream, limit: lines, startFromHead: false }));
    const events = (res.events ?? []).map((e) => ({ timestamp: new Date(e.timestamp ?? 0).toISOString(), message: (e.message ?? '').replace(/\n$/, '') }));
    if (ctx.json) {
      ctx.io.out(json({ runId: run.runId, job: job.name, engine: job.engine, logGroup, logStream, events }));
      return 0;
    }
    ctx.io.out(`==> ${run.runId}: job ${job.name} (${job.engine}), ${logGroup} ${logStream}, last ${events.length} line(s) <==`);
    for (const e of events) ctx.io.out(`${e.timestamp.replace('T', ' ').slice(0, 19)}  ${e.message}`);
    return 0;
  },
};

/** Where the job logs: SageMaker's first instance stream, or the Batch job's stream. */
async function logLocation(ctx: CliContext, run: Run, job: JobRef): Promise<{ logGroup: string; logStream: string }> {
  const notYet = new NotFound(`job ${job.name} of run ${run.runId} has not written a log yet`, 'its instance is starting: try again in a minute');
  if (job.engine === 'sagemaker') {
    const streams = await clients.logs(ctx).send(new DescribeLogStreamsCommand({ logGroupName: SAGEMAKER_TRAINING_LOG_GROUP, logStreamNamePrefix: sageMakerLogStreamPrefix(job.name) }))
      .catch((e) => { if ((e as { name?: string }).name === 'ResourceNotFoundException') return { logStreams: [] }; throw e; });
    const stream = streams.logStreams?.[0]?.logStreamName;
    if (!stream) throw notYet;
    return { logGroup: SAGEMAKER_TRAINING_LOG_GROUP, logStream: stream };
  }
  if (run.job?.id === job.id && run.job?.logStream) return { logGroup: run.job.logGroup, logStream: run.job.logStream };
  const found = (await clients.batch(ctx).send(new DescribeJobsCommand({ jobs: [job.id!] }))).jobs?.[0];
  if (!found) throw new NotFound(`Batch job ${job.id} (${job.name}) no longer exists (Batch keeps ended jobs about 7 days)`, `open the run's logUrl, shown by \`${mlopsCommand('runs', [run.model], { json: true })}\``);
  const { logGroup, logStream } = batchLogLocation(found);
  if (!logStream) throw notYet;
  return { logGroup, logStream };
}
