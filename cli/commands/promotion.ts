import { PromotionEvent, RegistryError } from '../../lambda/shared/registry';
import { CliError, EXIT } from '../errors';
import { ApprovalRequest, SfnTaskTokenSink, decideApproval, getApprovalRequest } from '../../lambda/shared/training/approvals';
import { CliContext } from '../context';
import { json, shortTime, table } from '../output';
import { Command, categoryFlag } from './command';
import { categoriesOf, oneCategory, parseVersion, required } from './common';

const reasonFlag = { type: 'string' as const, value: '"<why>"', description: 'Why, for the audit trail.' };

/** `mlops promote <model> <version>`: points production at a version (no redeploy needed). */
export const promoteCommand: Command = {
  name: 'promote',
  usage: '<model> <version> [--category <category>] --reason "<why>"',
  summary: 'Serve a version in production (servers pick it up without a redeploy).',
  flags: { category: categoryFlag, reason: reasonFlag },
  positionals: ['model', 'version'],
  async run(ctx, { positionals: [model, v], flags }) {
    const version = parseVersion(v);
    const reason = required(flags, 'reason', '"rmse 0.41 beats 0.45"');
    const registry = await ctx.registry();
    const category = await oneCategory(registry, model, flags.category as string | undefined, `promote ${model} ${version}`);
    const result = await registry.promote({ model, category, version, actor: ctx.actor, reason });
    if (ctx.json) { ctx.io.out(json(result)); return 0; }
    ctx.io.out(result.event
      ? `${model}/${category}: production is now v${version} (was ${result.event.fromVersion === undefined ? 'none' : `v${result.event.fromVersion}`}). Undo with: mlops rollback ${model} --category ${category}`
      : `${model}/${category}: v${version} already is in production; nothing changed.`);
    return 0;
  },
};

/** `mlops rollback <model>`: back to the version served before the current one. */
export const rollbackCommand: Command = {
  name: 'rollback',
  usage: '<model> [--category <category>] [--reason "<why>"]',
  summary: 'Serve the previous production version again.',
  flags: { category: categoryFlag, reason: reasonFlag },
  positionals: ['model'],
  async run(ctx, { positionals: [model], flags }) {
    const registry = await ctx.registry();
    const category = await oneCategory(registry, model, flags.category as string | undefined, `rollback ${model}`);
    const reason = (flags.reason as string | undefined) ?? `rollback by ${ctx.actor} with the mlops CLI`;
    const result = await registry.rollback({ model, category, actor: ctx.actor, reason }).catch((e: unknown) => {
      // The model exists (checked above): "no previous production version" is a state conflict
      // (exit 3, as the error table says), not a missing model or version.
      if (e instanceof RegistryError && e.code === 'NOT_FOUND') throw new CliError(e.message, 'promote a version with `mlops promote`; see what was served with `mlops history`', EXIT.conflict);
      throw e;
    });
    if (ctx.json) { ctx.io.out(json(result)); return 0; }
    ctx.io.out(`${model}/${category}: rolled back to v${result.pointer.version}${result.event?.fromVersion ? ` (from v${result.event.fromVersion})` : ''}.`);
    return 0;
  },
};

/** `mlops history <model>`: the promotion audit trail. */
export const historyCommand: Command = {
  name: 'history',
  usage: '<model> [--category <category>]',
  summary: 'Show promotions and rollbacks, newest first: who, when, from, to and why.',
  flags: { category: categoryFlag },
  positionals: ['model'],
  async run(ctx, { positionals: [model], flags }) {
    const registry = await ctx.registry();
    const events: PromotionEvent[] = [];
    for (const category of await categoriesOf(registry, model, flags.category as string | undefined)) {
      let nextToken: string | undefined;
      do {
        const page = await registry.listHistory(model, category, { nextToken });
        events.push(...page.items);
        nextToken = page.nextToken;
      } while (nextToken);
    }
    events.sort((a, b) => b.at.localeCompare(a.at));
    if (ctx.json) { ctx.io.out(json(events)); return 0; }
    if (events.length === 0) { ctx.io.out(`Nothing of ${model} was ever promoted.`); return 0; }
    ctx.io.out(table(events.map((e) => ({
      at: shortTime(e.at), category: e.category, kind: e.kind, from: e.fromVersion === undefined ? '-' : `v${e.fromVersion}`, to: `v${e.toVersion}`, actor: e.actor, reason: e.reason,
    })), ['at', 'category', 'kind', 'from', 'to', 'actor', 'reason']));
    return 0;
  },
};

/**
 * Decides a version: when a training execution is waiting for this approval (a pending request
 * with its task token in the registry table), the decision goes to that execution through the
 * task token and the pipeline promotes or rejects, so the run records the outcome. Otherwise
 * (no pipeline waiting: expired, or a version registered with promotion "none") the CLI applies
 * it to the registry itself.
 */
async function decide(ctx: CliContext, model: string, category: string, version: number, decision: 'APPROVE' | 'REJECT', reason: string): Promise<ApprovalRequest | undefined> {
  const store = await ctx.approvals();
  const pending = store ? await getApprovalRequest(store, model, category, version) : undefined;
  if (!store || pending?.status !== 'PENDING') return undefined;
  return decideApproval(store, new SfnTaskTokenSink(ctx.sfn()), { model, category, version, decision, actor: ctx.actor, reason, now: ctx.now });
}

/** `mlops approve <model> <version>`: approves a version and puts it in production. */
export const approveCommand: Command = {
  name: 'approve',
  usage: '<model> <version> [--category <category>] [--reason "<why>"]',
  summary: 'Approve a version (the waiting pipeline promotes it; with none waiting, the CLI promotes it).',
  flags: { category: categoryFlag, reason: reasonFlag },
  positionals: ['model', 'version'],
  async run(ctx, { positionals: [model, v], flags }) {
    const version = parseVersion(v);
    const registry = await ctx.registry();
    const category = await oneCategory(registry, model, flags.category as string | undefined, `approve ${model} ${version}`);
    const reason = (flags.reason as string | undefined) ?? `approved by ${ctx.actor}`;
    const handedOver = await decide(ctx, model, category, version, 'APPROVE', reason);
    if (handedOver) {
      if (ctx.json) { ctx.io.out(json({ approval: handedOver, via: 'pipeline' })); return 0; }
      ctx.io.out(`${model}/${category}: v${version} approved; the waiting pipeline (${handedOver.executionId}) promotes it now. Check with \`mlops versions ${model} --category ${category}\`.`);
      return 0;
    }
    const approved = await registry.setVersionStatus({ model, category, version, status: 'APPROVED', actor: ctx.actor, reason });
    const result = await registry.promote({ model, category, version, actor: ctx.actor, reason });
    if (ctx.json) { ctx.io.out(json({ version: approved, promotion: result, via: 'registry' })); return 0; }
    ctx.io.out(`${model}/${category}: v${version} approved and in production${result.event?.fromVersion ? ` (was v${result.event.fromVersion})` : ''}.`);
    return 0;
  },
};

/** `mlops reject <model> <version>`: marks a version REJECTED so it is never promoted or ranked best. */
export const rejectCommand: Command = {
  name: 'reject',
  usage: '<model> <version> [--category <category>] --reason "<why>"',
  summary: 'Reject a version: it is never promoted and `best` skips it.',
  flags: { category: categoryFlag, reason: reasonFlag },
  positionals: ['model', 'version'],
  async run(ctx, { positionals: [model, v], flags }) {
    const version = parseVersion(v);
    const reason = required(flags, 'reason', '"leaky feature in the training data"');
    const registry = await ctx.registry();
    const category = await oneCategory(registry, model, flags.category as string | undefined, `reject ${model} ${version}`);
    const handedOver = await decide(ctx, model, category, version, 'REJECT', reason);
    if (handedOver) {
      if (ctx.json) { ctx.io.out(json({ approval: handedOver, via: 'pipeline' })); return 0; }
      ctx.io.out(`${model}/${category}: v${version} rejected; the waiting pipeline (${handedOver.executionId}) records it.`);
      return 0;
    }
    const rejected = await registry.setVersionStatus({ model, category, version, status: 'REJECTED', actor: ctx.actor, reason });
    if (ctx.json) { ctx.io.out(json({ version: rejected, via: 'registry' })); return 0; }
    ctx.io.out(`${model}/${category}: v${version} rejected.`);
    return 0;
  },
};
