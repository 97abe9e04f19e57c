// Two-phase promotion on the command line: what is desired and what is served (`status`),
// scoring on demand (`score`), and following a promotion until it is served (`promote --wait`).
import { randomBytes } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ModelRegistryClient, PromoteResult, PromotionEvent, ProductionPointer, ServedPointer } from '../../lambda/shared/registry';
import { mlopsCommand } from '../command-line';
import { COMMAND_TABLE } from '../command-table';
import { CliContext } from '../context';
import { CliError, EXIT, NotFound, UsageError } from '../errors';
import { json, shortTime, table } from '../output';
import { parseDay } from '../time';
import { Command } from './command';
import { categoriesOf, oneCategory, parseVersion } from './common';

/** Where one category stands: desired, served, and the promotion waiting to be served. */
export interface ServingStatus {
  readonly category: string;
  readonly desired: ProductionPointer | null;
  readonly served: ServedPointer | null;
  /** The promotion of the desired version while it is not served yet. */
  readonly pending: PromotionEvent | null;
}

async function servingStatus(registry: ModelRegistryClient, model: string, category: string): Promise<ServingStatus> {
  const [desired, served] = await Promise.all([registry.getProduction(model, category), registry.getServed(model, category)]);
  const pending = desired && desired.version !== served?.version ? await registry.getPromotion(model, category, desired.sequence) : undefined;
  return { category, desired: desired ?? null, served: served ?? null, pending: pending ?? null };
}

function describeState(s: ServingStatus): string {
  if (!s.desired) return 'nothing promoted';
  if (!s.pending) return 'served';
  if (s.pending.scoringFailure) return `scoring v${s.desired.version} failed (${shortTime(s.pending.scoringFailedAt)}): ${s.pending.scoringFailure}`;
  if (s.pending.scoring === 'BY_ENDPOINT') return `v${s.desired.version} waits for its endpoint to shift traffic (promoted ${shortTime(s.pending.at)}; see the shift with promote --wait)`;
  return `v${s.desired.version} waits for its predictions (promoted ${shortTime(s.pending.at)})`;
}

const v = (p: { version: number } | null) => (p ? `v${p.version}` : '-');

/** `mlops status <model>`: desired and served version per category. */
export const statusCommand: Command = {
  ...COMMAND_TABLE.status,
  async run(ctx, { positionals: [model], flags }) {
    const registry = await ctx.registry();
    const rows: ServingStatus[] = [];
    for (const category of await categoriesOf(registry, model, flags.category as string | undefined)) rows.push(await servingStatus(registry, model, category));
    if (ctx.json) { ctx.io.out(json(rows)); return 0; }
    ctx.io.out(table(rows.map((s) => ({
      category: s.category, desired: v(s.desired), served: v(s.served), 'served since': s.served ? shortTime(s.served.since) : '-', state: describeState(s),
    })), ['category', 'desired', 'served', 'served since', 'state']));
    const failed = rows.find((s) => s.pending?.scoringFailure);
    if (failed) ctx.io.out(`Score it again with \`${mlopsCommand('score', [model], { version: String(failed.desired!.version), category: failed.category })}\`, or roll back with \`${mlopsCommand('rollback', [model], { category: failed.category })}\`.`);
    return 0;
  },
};

/** `mlops score <model>`: starts the model's batch inference now. */
export const scoreCommand: Command = {
  ...COMMAND_TABLE.score,
  async run(ctx, { positionals: [model], flags }) {
    const registry = await ctx.registry();
    const version = flags.version === undefined ? undefined : parseVersion(String(flags.version), '--version');
    let category = flags.category as string | undefined;
    if (version !== undefined) {
      category = await oneCategory(registry, model, category, (c) => mlopsCommand('score', [model], { version: String(version), category: c }));
      if (!await registry.getVersion(model, category, version)) {
        throw new NotFound(`version ${version} of ${model}/${category} does not exist`, `list the versions with \`${mlopsCommand('versions', [model], { category })}\``);
      }
    } else {
      await categoriesOf(registry, model, category);
    }
    const input = {
      model,
      executionDate: flags.date === undefined ? ctx.now().toISOString().slice(0, 10) : parseDay(String(flags.date), '--date'),
      ...(category ? { categories: [category] } : {}),
      ...(version !== undefined ? { version } : {}),
    };
    const stateMachineArn = await ctx.batchInferenceStateMachineArn(model);
    const name = `score-${ctx.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
    const started = await ctx.sfn().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })).catch((e: unknown) => {
      if ((e as { name?: string }).name === 'StateMachineDoesNotExist') throw new NotFound(`the batch inference of model "${model}" does not exist (${(e as Error).message})`, 'deploy the platform with this model\'s spec (inference mode batch), or check --platform');
      throw e;
    });
    if (ctx.json) { ctx.io.out(json({ executionArn: started.executionArn, input })); return 0; }
    const what = version !== undefined ? `${model}/${category} v${version}` : category ? `${model}/${category}` : model;
    ctx.io.out(`Started scoring of ${what} on the data of ${input.executionDate}: ${started.executionArn}`);
    ctx.io.out(`A desired version is served as soon as its predictions are loaded; follow it with \`${mlopsCommand('status', [model], category ? { category } : {})}\`.`);
    return 0;
  },
};

/** Milliseconds of a `--<flag> <seconds>` value from 0 to `max` seconds; `fallback` seconds when absent. */
export function parseSeconds(value: unknown, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback * 1000;
  const s = Number(value);
  if (!Number.isFinite(s) || s < 0 || s > max) throw new UsageError(`${flag} ${String(value)} is not a number of seconds from 0 to ${max}`, `write e.g. ${flag} ${fallback}`);
  return s * 1000;
}

const elapsed = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;

/**
 * `promote --wait`: polls the registry until the promoted version is served (exit 0), its
 * scoring failed (exit 4, the served version stays), someone else promoted meanwhile (exit 3),
 * or the timeout passes (exit 4). Prints a progress line when the state changes and once a
 * minute. Time comes from the context (`now`, `sleep`), so tests need no real waiting.
 */
export async function waitUntilServed(ctx: CliContext, model: string, category: string, promoted: PromoteResult, flags: Record<string, unknown>): Promise<number> {
  const registry = await ctx.registry();
  const { version, sequence } = promoted.pointer;
  return pollPromotion(ctx, flags, async (waited) => {
    const s = await servingStatus(registry, model, category);
    if (s.served?.version === version) {
      if (ctx.json) ctx.io.out(json({ ...promoted, served: s.served }));
      else ctx.io.out(`${model}/${category}: v${version} is served since ${shortTime(s.served.since)} (promoted ${shortTime(promoted.event?.at ?? promoted.pointer.since)}).`);
      return EXIT.ok;
    }
    if (s.desired?.sequence !== sequence) {
      throw new CliError(`${model}/${category}: v${s.desired?.version ?? 'none'} was promoted meanwhile, so v${version} will not be served`, `see who and why with \`${mlopsCommand('history', [model], { category })}\``, EXIT.conflict);
    }
    if (s.pending?.scoringFailure) {
      throw new CliError(`${model}/${category}: scoring v${version} failed, so ${v(s.served)} is still served: ${s.pending.scoringFailure}`,
        `fix the cause and score again with \`${mlopsCommand('score', [model], { version: String(version), category })}\`, or roll back with \`${mlopsCommand('rollback', [model], { category })}\``, EXIT.other);
    }
    return {
      timeout: new CliError(`${model}/${category}: v${version} is still not served after ${elapsed(waited)} (${v(s.served)} is)`, `it is served once its predictions are loaded; check with \`${mlopsCommand('status', [model], { category })}\``, EXIT.other),
      progress: `v${version} is being scored and loaded; ${v(s.served)} is served meanwhile`,
    };
  });
}

/**
 * `promote --wait` on a model with a real-time endpoint: polls the registry's endpoint record of
 * the promotion (written by the endpoint update function) until traffic has shifted to the
 * version (exit 0), the shift failed or rolled back (exit 4, with SageMaker's reason), someone
 * else promoted meanwhile (exit 3), or the timeout passes (exit 4).
 */
export async function waitUntilShifted(ctx: CliContext, model: string, category: string, promoted: PromoteResult, flags: Record<string, unknown>): Promise<number> {
  const registry = await ctx.registry();
  const { version, sequence } = promoted.pointer;
  return pollPromotion(ctx, flags, async (waited) => {
    const [record, desired] = await Promise.all([registry.getEndpointRecord(model, category), registry.getProduction(model, category)]);
    const mine = record?.sequence === sequence ? record : undefined;
    if (mine?.status === 'IN_SERVICE') {
      if (ctx.json) ctx.io.out(json({ ...promoted, endpoint: mine }));
      else ctx.io.out(`${model}/${category}: the ${mine.endpointName} endpoint serves v${version} since ${shortTime(mine.updatedAt)} (traffic shifted: blue/green on SageMaker, a rolling deployment on Fargate).`);
      return EXIT.ok;
    }
    if (mine?.status === 'FAILED') {
      throw new CliError(`${model}/${category}: shifting the ${mine.endpointName} endpoint to v${version} failed, so ${mine.servingVersion ? `v${mine.servingVersion}` : 'no version'} still answers: ${mine.failureReason ?? 'no reason given'}`,
        `fix the cause and promote again, or roll back with \`${mlopsCommand('rollback', [model], { category })}\``, EXIT.other);
    }
    if (desired?.sequence !== sequence) {
      throw new CliError(`${model}/${category}: v${desired?.version ?? 'none'} was promoted meanwhile, so the endpoint will not shift to v${version}`, `see who and why with \`${mlopsCommand('history', [model], { category })}\``, EXIT.conflict);
    }
    return {
      timeout: new CliError(`${model}/${category}: the endpoint has not shifted to v${version} after ${elapsed(waited)}`, `check with \`${mlopsCommand('status', [model], { category })}\` and the endpoint in the SageMaker console (the ECS service\'s deployments for hosting fargate)`, EXIT.other),
      progress: mine ? `traffic shifts to v${version}; ${record?.servingVersion ? `v${record.servingVersion}` : 'no version'} answers meanwhile` : `the endpoint update for v${version} has not started yet`,
    };
  });
}

/** What one poll of a promotion found: done (an exit code), or still waiting (its timeout error and progress line). */
type PollOutcome = number | { readonly timeout: CliError; readonly progress: string };

/**
 * The poll loop of `promote --wait`: runs `poll` every `--poll-interval` until it returns an exit
 * code or throws, throws its timeout error once `--timeout` has passed, and prints its progress
 * line when it changes and once a minute. Time comes from the context (`now`, `sleep`), so tests
 * need no real waiting.
 */
async function pollPromotion(ctx: CliContext, flags: Record<string, unknown>, poll: (waitedMs: number) => Promise<PollOutcome>): Promise<number> {
  const intervalMs = parseSeconds(flags['poll-interval'], '--poll-interval', 15, 300);
  const timeoutMs = parseSeconds(flags.timeout, '--timeout', 14_400, 7 * 86_400);
  const start = ctx.now().getTime();
  let said = '';
  let saidAt = -Infinity;
  for (;;) {
    const waited = ctx.now().getTime() - start;
    const outcome = await poll(waited);
    if (typeof outcome === 'number') return outcome;
    if (waited >= timeoutMs) throw outcome.timeout;
    if (!ctx.json && (outcome.progress !== said || waited - saidAt >= 60_000)) {
      ctx.io.out(`[${elapsed(waited)}] ${outcome.progress}`);
      said = outcome.progress;
      saidAt = waited;
    }
    await ctx.sleep(intervalMs);
  }
}
