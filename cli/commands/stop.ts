import { DescribeJobsCommand, TerminateJobCommand } from '@aws-sdk/client-batch';
import { DescribeTrainingJobCommand, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mlopsCommand } from '../command-line';
import { COMMAND_TABLE } from '../command-table';
import { CliContext } from '../context';
import { CliError, EXIT, NotFound } from '../errors';
import { json } from '../output';
import { Command } from './command';
import { JobRef, clients, executionJobs, runsNamed } from './run-jobs';

const BATCH_ENDED = ['SUCCEEDED', 'FAILED'];

/**
 * `mlops stop <model> --run R`: stops the run's execution first (so it starts no new job), then
 * every job of it still running. The pipeline then closes the execution's RUNNING runs as FAILED.
 */
export const stopCommand: Command = {
  ...COMMAND_TABLE.stop,
  async run(ctx, { positionals: [model], flags }) {
    const runs = await runsNamed(ctx, model, String(flags.run));
    const executionArn = runs[0].executionArn;
    if (!executionArn) throw new NotFound(`run ${runs[0].runId} has no execution recorded (started outside the pipeline)`, `list the runs with \`${mlopsCommand('runs', [model])}\``);
    const sfn = ctx.sfn();
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn })).catch((e) => {
      if ((e as { name?: string }).name === 'ExecutionDoesNotExist') throw new NotFound(`execution ${executionArn} does not exist (Step Functions keeps ended executions 90 days)`, `list the runs with \`${mlopsCommand('runs', [model])}\``);
      throw e;
    });
    if (execution.status !== 'RUNNING') {
      throw new CliError(`execution ${executionArn} already ended (${execution.status}); nothing to stop`, `see its runs with \`${mlopsCommand('runs', [model], { since: '1d' })}\``, EXIT.conflict);
    }
    const reason = `${ctx.actor}: ${(flags.reason as string | undefined) ?? 'stopped with mlops stop'}`;
    const stopped = await sfn.send(new StopExecutionCommand({ executionArn, error: 'StoppedByUser', cause: reason.slice(0, 32_768) }));
    const outcome = await stopJobs(ctx, await executionJobs(ctx, executionArn), reason);
    if (ctx.json) ctx.io.out(json({ executionArn, stopDate: stopped.stopDate, ...outcome }));
    else {
      ctx.io.out(`Stopped execution ${executionArn} (${reason}).`);
      ctx.io.out(outcome.stopped.length ? `Stopped jobs: ${outcome.stopped.map((j) => `${j.name} (${j.engine})`).join(', ')}.` : 'No job was running.');
      for (const f of outcome.failed) ctx.io.err(`error: could not stop job ${f.name} (${f.engine}): ${f.error}`);
      ctx.io.out(`Its RUNNING runs are closed as FAILED once the pipeline sees the execution end: \`${mlopsCommand('runs', [model], { since: '1d' })}\`.`);
    }
    return outcome.failed.length ? EXIT.other : 0;
  },
};

interface JobOutcome { stopped: JobRef[]; alreadyEnded: JobRef[]; failed: Array<JobRef & { error: string }> }

async function stopJobs(ctx: CliContext, jobs: JobRef[], reason: string): Promise<JobOutcome> {
  const out: JobOutcome = { stopped: [], alreadyEnded: [], failed: [] };
  const sageMaker = clients.sageMaker(ctx);
  const batch = clients.batch(ctx);
  const batchStatus = new Map<string, string | undefined>();
  const batchIds = jobs.flatMap((j) => (j.engine === 'batch' && j.id ? [j.id] : []));
  for (let i = 0; i < batchIds.length; i += 100) {
    const page = await batch.send(new DescribeJobsCommand({ jobs: batchIds.slice(i, i + 100) }));
    for (const j of page.jobs ?? []) batchStatus.set(j.jobId!, j.status);
  }
  for (const job of jobs) {
    try {
      if (job.engine === 'sagemaker') {
        const d = await sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: job.name }));
        if (d.TrainingJobStatus !== 'InProgress') { out.alreadyEnded.push(job); continue; }
        await sageMaker.send(new StopTrainingJobCommand({ TrainingJobName: job.name }));
      } else {
        const status = batchStatus.get(job.id!);
        if (status === undefined || BATCH_ENDED.includes(status)) { out.alreadyEnded.push(job); continue; }
        await batch.send(new TerminateJobCommand({ jobId: job.id!, reason: reason.slice(0, 1024) }));
      }
      out.stopped.push(job);
    } catch (e) {
      out.failed.push({ ...job, error: `${(e as Error).name}: ${(e as Error).message}` });
    }
  }
  return out;
}
