import { randomBytes } from 'node:crypto';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, HistoryEvent, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CATEGORY_PATTERN, HYPERPARAMETER_NAME_PATTERN } from '../../lambda/shared/names-and-numbers';
import { CliContext } from '../context';
import { mlopsCommand } from '../command-line';
import { CliError, EXIT, NotFound, UsageError } from '../errors';
import { json } from '../output';
import { parseDay } from '../time';
import { COMMAND_TABLE } from '../command-table';
import { Command } from './command';

/** Input of a manually started training execution (the training pipeline's input contract). */
export interface TrainingExecutionInput {
  /** Logical date of the data to train on (YYYY-MM-DD); the pipeline defaults to today. */
  readonly executionDate?: string;
  /** Only these categories; the pipeline defaults to the spec's. */
  readonly categories?: string[];
  /** Overrides of the spec's hyperparameters, for this execution only. */
  readonly hyperparameters?: Record<string, string>;
  /** Experiment runs are recorded but never promoted. */
  readonly experiment: boolean;
  readonly trigger: 'manual';
}

/** `mlops train <model>`: starts the model's training pipeline, optionally following it live. */
export const trainCommand: Command = {
  ...COMMAND_TABLE.train,
  async run(ctx, { positionals: [model], flags }) {
    const input = executionInput(flags);
    const stateMachineArn = await ctx.trainingStateMachineArn(model);
    const name = `manual-${ctx.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
    let started;
    try {
      started = await ctx.sfn().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (e) {
      throw sfnError(e, model);
    }
    const executionArn = started.executionArn!;
    if (!ctx.json) {
      ctx.io.out(`Started training of ${model}${input.experiment ? ' (experiment)' : ''}: ${executionArn}`);
      const region = executionArn.split(':')[3];
      if (region) ctx.io.out(`Console: https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`);
      if (!flags.watch) ctx.io.out(`Follow it with \`${mlopsCommand('runs', [model], { since: '1h' })}\`, or start with --watch.`);
    }
    if (!flags.watch) {
      if (ctx.json) ctx.io.out(json({ executionArn, startDate: started.startDate, input }));
      return 0;
    }
    const status = await watch(ctx, executionArn, pollMs(flags['poll-interval']));
    if (ctx.json) ctx.io.out(json({ executionArn, input, ...status }));
    else ctx.io.out(`Execution ${status.status}${status.error ? `: ${status.error}${status.cause ? ` (${status.cause})` : ''}` : ''}.`);
    if (status.status === 'SUCCEEDED') return 0;
    if (!ctx.json) ctx.io.err(`fix: see the failed run with \`${mlopsCommand('runs', [model], { status: 'FAILED', since: '1d' })}\`, fix the cause, and train again`);
    return EXIT.other;
  },
};

function executionInput(flags: Record<string, unknown>): TrainingExecutionInput {
  const hyperparameters: Record<string, string> = {};
  for (const pair of (flags.set as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? '' : pair.slice(0, eq);
    if (!new RegExp(HYPERPARAMETER_NAME_PATTERN).test(key)) {
      throw new UsageError(`--set ${pair} is not key=value with a hyperparameter name`, 'write e.g. --set window=14 (names: letters, digits, "_", "." or "-")');
    }
    hyperparameters[key] = pair.slice(eq + 1);
  }
  const categories = flags.category as string[] | undefined;
  for (const c of categories ?? []) {
    if (!new RegExp(CATEGORY_PATTERN).test(c)) throw new UsageError(`--category ${c} is not a category name`, 'use letters, digits, "_", "." or "-" as in the spec\'s categories');
  }
  const date = flags.date === undefined ? undefined : parseDay(String(flags.date), '--date');
  return {
    ...(date ? { executionDate: date } : {}),
    ...(categories?.length ? { categories: [...new Set(categories)] } : {}),
    ...(Object.keys(hyperparameters).length ? { hyperparameters } : {}),
    experiment: flags.experiment === true,
    trigger: 'manual',
  };
}

function pollMs(v: unknown): number {
  if (v === undefined) return 5000;
  const s = Number(v);
  if (!Number.isFinite(s) || s < 0 || s > 300) throw new UsageError(`--poll-interval ${String(v)} is not a number of seconds from 0 to 300`, 'write e.g. --poll-interval 10');
  return s * 1000;
}

interface FinalStatus { status: string; error?: string; cause?: string; stopDate?: Date }

/** Prints new history events (state entered/exited/failed) until the execution ends. */
async function watch(ctx: CliContext, executionArn: string, intervalMs: number): Promise<FinalStatus> {
  const sfn = ctx.sfn();
  let lastId = 0;
  for (;;) {
    const fresh: HistoryEvent[] = [];
    let nextToken: string | undefined;
    // Newest first, so each poll reads only what is new since the last one.
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, nextToken, maxResults: 100 }));
      const events = page.events ?? [];
      const newer = events.filter((e) => (e.id ?? 0) > lastId);
      fresh.push(...newer);
      nextToken = newer.length === events.length ? page.nextToken : undefined;
    } while (nextToken);
    fresh.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    for (const e of fresh) {
      const line = describeEvent(e);
      if (line && !ctx.json) ctx.io.out(line);
      lastId = Math.max(lastId, e.id ?? 0);
    }
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING' && d.status !== 'PENDING_REDRIVE') {
      return { status: d.status ?? 'UNKNOWN', error: d.error, cause: d.cause, stopDate: d.stopDate };
    }
    await ctx.sleep(intervalMs);
  }
}

function describeEvent(e: HistoryEvent): string | undefined {
  const at = e.timestamp ? new Date(e.timestamp).toISOString().slice(11, 19) : '--:--:--';
  const type = e.type ?? '';
  if (e.stateEnteredEventDetails && /StateEntered$/.test(type)) return `${at}  started   ${e.stateEnteredEventDetails.name}`;
  if (e.stateExitedEventDetails && /StateExited$/.test(type)) return `${at}  finished  ${e.stateExitedEventDetails.name}`;
  const failure = e.taskFailedEventDetails ?? e.executionFailedEventDetails ?? e.activityFailedEventDetails ?? e.lambdaFunctionFailedEventDetails
    ?? e.mapRunFailedEventDetails ?? e.taskTimedOutEventDetails ?? e.executionTimedOutEventDetails;
  if (failure) return `${at}  FAILED    ${type}: ${failure.error ?? ''}${failure.cause ? ` (${failure.cause.slice(0, 300)})` : ''}`;
  if (type === 'ExecutionAborted') return `${at}  ABORTED`;
  return undefined;
}

function sfnError(e: unknown, model: string): unknown {
  const name = (e as { name?: string }).name;
  if (name === 'StateMachineDoesNotExist') {
    return new NotFound(`the training pipeline of model "${model}" does not exist (${(e as Error).message})`, 'deploy the platform with this model\'s spec under models/, or check --platform');
  }
  if (name === 'InvalidExecutionInput') return new CliError(`the pipeline refused the input: ${(e as Error).message}`, 'check --set and --category values', EXIT.usage);
  return e;
}
