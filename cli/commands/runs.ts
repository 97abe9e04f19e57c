import { RUN_STATUSES, Run, RunStatus } from '../../lambda/shared/registry';
import { formatDuration } from '../../lib/spec/units';
import { mlopsCommand } from '../command-line';
import { UsageError } from '../errors';
import { formatMetrics, json, shortTime, table } from '../output';
import { COMMAND_TABLE } from '../command-table';
import { Command } from './command';
import { parseSince } from '../time';

/** `mlops runs <model>`: training runs newest first ("which run was the one from two days ago?"). */
export const runsCommand: Command = {
  ...COMMAND_TABLE.runs,
  async run(ctx, { positionals: [model], flags }) {
    const status = flags.status === undefined ? undefined : String(flags.status).toUpperCase();
    if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status ${flags.status} is not a run status`, `use one of ${RUN_STATUSES.join(', ')}`);
    }
    const limit = flags.limit === undefined ? 20 : Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit ${flags.limit} is not a number from 1 to 1000`, 'write e.g. --limit 50');
    const since = flags.since === undefined ? undefined : parseSince(String(flags.since), ctx.now());
    const registry = await ctx.registry();
    const runs: Run[] = [];
    let nextToken: string | undefined;
    do {
      const page = await registry.listRuns({ model, category: flags.category as string | undefined, status: status as RunStatus | undefined, since, nextToken, limit: 100 });
      runs.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken && runs.length < limit);
    const shown = runs.slice(0, limit);
    if (ctx.json) { ctx.io.out(json(shown)); return 0; }
    if (shown.length === 0) { ctx.io.out(`No runs of ${model} match.${flags.since ? '' : ` Start one with \`${mlopsCommand('train', [model])}\`.`}`); return 0; }
    ctx.io.out(table(shown.map((r) => ({
      run: r.runId, category: r.category, status: r.status, started: shortTime(r.startedAt),
      duration: r.finishedAt ? formatDuration(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : r.status === 'RUNNING' ? `${formatDuration(ctx.now().getTime() - Date.parse(r.startedAt))}…` : '-',
      version: r.version === undefined ? '-' : `v${r.version}`, metrics: formatMetrics(r.metrics), trigger: r.trigger, experiment: r.experiment,
    })), ['run', 'category', 'status', 'started', 'duration', 'version', 'metrics', 'trigger', 'experiment']));
    const failed = shown.find((r) => r.status === 'FAILED' && r.failureCause);
    if (failed) ctx.io.out(['', `Latest failure (${failed.runId}): ${failed.failureCause!.split('\n')[0]}`, ...(failed.job ? jobLines(failed) : failed.logUrl ? [`Logs: ${failed.logUrl}`] : [])].join('\n'));
    return 0;
  },
};

/** What the run's training job said when it ended: reason, status history, billable time, links. */
function jobLines(run: Run): string[] {
  const job = run.job!;
  const billed = job.billableSeconds === undefined ? '' : `, ${job.billableSeconds} billable seconds`;
  const width = Math.max(0, ...job.statusHistory.map((h) => h.status.length));
  return [
    `Job ${job.name} (${job.engine}, ${job.status}${billed})${job.failureReason ? `: ${job.failureReason}` : ''}`,
    ...job.statusHistory.map((h) => `  ${shortTime(h.at)}  ${h.status.padEnd(width)}  ${h.message ?? ''}`.trimEnd()),
    `Console: ${job.consoleUrl}`,
    ...(run.logUrl ? [`Logs: ${run.logUrl}`] : []),
    `Tail: ${mlopsCommand('logs', [run.model], { run: run.runId })}`,
  ];
}
