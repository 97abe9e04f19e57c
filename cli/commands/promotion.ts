import { PromoteResult, PromotionEvent, RegistryError, VersionStatusChange } from '../../lambda/shared/registry';
import { mlopsCommand } from '../command-line';
import { CliError, EXIT } from '../errors';
import { ApprovalRequest, SfnTaskTokenSink, decideApproval, getApprovalRequest } from '../../lambda/shared/training/approvals';
import { CliContext } from '../context';
import { json, shortTime, table } from '../output';
import { COMMAND_TABLE } from '../command-table';
import { Command } from './command';
import { categoriesOf, oneCategory, parseVersion } from './common';
import { waitUntilServed, waitUntilShifted } from './serving';

/** `mlops promote <model> <version>`: sets the desired version; it is served once its predictions are loaded. */
export const promoteCommand: Command = {
  ...COMMAND_TABLE.promote,
  async run(ctx, { positionals: [model, v], flags }) {
    const version = parseVersion(v);
    const reason = flags.reason as string;
    const registry = await ctx.registry();
    const category = await oneCategory(registry, model, flags.category as string | undefined, (c) => mlopsCommand('promote', [model, String(version)], { category: c, reason }));
    const result = await registry.promote({ model, category, version, actor: ctx.actor, reason });
    if (flags.wait) {
      if (!ctx.json) ctx.io.out(promotedText(model, category, result));
      // A real-time endpoint shifts traffic: online-only models (no batch) wait for the shift alone;
      // `both` (an endpoint record exists) for the load, then the shift (with --json, one object each).
      if (result.event?.scoring === 'NO_BATCH' || result.event?.scoring === 'BY_ENDPOINT') return waitUntilShifted(ctx, model, category, result, flags);
      const served = await waitUntilServed(ctx, model, category, result, flags);
      const endpoint = result.event !== undefined && await registry.getEndpointRecord(model, category) !== undefined;
      return endpoint && served === EXIT.ok ? waitUntilShifted(ctx, model, category, result, flags) : served;
    }
    if (ctx.json) { ctx.io.out(json(result)); return 0; }
    ctx.io.out(promotedText(model, category, result));
    if (result.served?.version !== version) ctx.io.out(`Follow it with \`${mlopsCommand('status', [model], { category })}\`, or promote with --wait.`);
    return 0;
  },
};

function promotedText(model: string, category: string, result: PromoteResult): string {
  const version = result.pointer.version;
  if (!result.event) return `${retainedText(result)}${model}/${category}: v${version} already is the production version; nothing changed.`;
  const was = result.event.fromVersion === undefined ? 'none' : `v${result.event.fromVersion}`;
  return `${retainedText(result)}${model}/${category}: production is now v${version} (was ${was}), ${servedClause(result)}. Undo with: ${mlopsCommand('rollback', [model], { category })}`;
}

/** The experiment artifact copied under runs/ before promoting, as a line of its own. */
function retainedText(result: PromoteResult): string {
  const r = result.retained;
  return r ? `Copied the experiment artifact ${r.from} to ${r.to} (${r.objects} object${r.objects === 1 ? '' : 's'}), where it does not expire.\n` : '';
}

function servedClause(result: PromoteResult): string {
  if (result.served?.version !== result.pointer.version) {
    const once = result.event?.scoring === 'BY_ENDPOINT' ? 'its endpoint has shifted traffic to it' : 'its predictions are loaded';
    return `served once ${once}; ${result.served ? `v${result.served.version}` : 'no version'} is served until then`;
  }
  if (result.event?.scoring === 'BY_ENDPOINT') return 'already served (its endpoint serves it)';
  return result.event?.scoring === 'NO_BATCH' ? 'served at once (the model has no batch inference to wait for)' : 'served at once (its predictions are still loaded)';
}

/** `mlops rollback <model>`: back to the version served before the current one. */
export const rollbackCommand: Command = {
  ...COMMAND_TABLE.rollback,
  async run(ctx, { positionals: [model], flags }) {
    const registry = await ctx.registry();
    const category = await oneCategory(registry, model, flags.category as string | undefined, (c) => mlopsCommand('rollback', [model], { category: c }));
    const reason = (flags.reason as string | undefined) ?? `rollback by ${ctx.actor} with the mlops CLI`;
    const result = await registry.rollback({ model, category, actor: ctx.actor, reason }).catch((e: unknown) => {
      // The model exists (checked above): "no previous production version" is a state conflict
      // (exit 3, as the error table says), not a missing model or version.
      if (e instanceof RegistryError && e.code === 'NOT_FOUND') throw new CliError(e.message, `promote a version with \`${mlopsCommand('promote', [model, '<version>'], { category, reason: '<why>' })}\`; see what was served with \`${mlopsCommand('history', [model], { category })}\``, EXIT.conflict);
      throw e;
    });
    if (ctx.json) { ctx.io.out(json(result)); return 0; }
    ctx.io.out(`${retainedText(result)}${model}/${category}: rolled back to v${result.pointer.version}${result.event?.fromVersion ? ` (from v${result.event.fromVersion})` : ''}, ${servedClause(result)}.`);
    return 0;
  },
};

/** A status change in the history: `kind` STATUS next to PROMOTE / ROLLBACK. */
type HistoryEntry = PromotionEvent | (VersionStatusChange & { readonly kind: 'STATUS' });

/** `mlops history <model>`: the audit trail of promotions, rollbacks and version status changes. */
export const historyCommand: Command = {
  ...COMMAND_TABLE.history,
  async run(ctx, { positionals: [model], flags }) {
    const registry = await ctx.registry();
    const entries: HistoryEntry[] = [];
    for (const category of await categoriesOf(registry, model, flags.category as string | undefined)) {
      for (const list of [
        (nextToken?: string) => registry.listHistory(model, category, { nextToken }),
        async (nextToken?: string) => {
          const page = await registry.listStatusHistory(model, category, { nextToken });
          return { ...page, items: page.items.map((c) => ({ ...c, kind: 'STATUS' as const })) };
        },
      ]) {
        let nextToken: string | undefined;
        do {
          const page = await list(nextToken);
          entries.push(...page.items);
          nextToken = page.nextToken;
        } while (nextToken);
      }
    }
    entries.sort((a, b) => b.at.localeCompare(a.at));
    if (ctx.json) { ctx.io.out(json(entries)); return 0; }
    if (entries.length === 0) { ctx.io.out(`Nothing of ${model} was ever promoted, approved or rejected.`); return 0; }
    ctx.io.out(table(entries.map((e) => e.kind === 'STATUS'
      ? { at: shortTime(e.at), category: e.category, kind: e.status, from: '-', to: `v${e.version}`, actor: e.actor, reason: e.reason }
      : { at: shortTime(e.at), category: e.category, kind: e.kind, from: e.fromVersion === undefined ? '-' : `v${e.fromVersion}`, to: `v${e.toVersion}`, actor: e.actor, reason: e.reason },
    ), ['at', 'category', 'kind', 'from', 'to', 'actor', 'reason']));
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
  ...COMMAND_TABLE.approve,
  async run(ctx, { positionals: [model, v], flags }) {
    const version = parseVersion(v);
    const registry = await ctx.registry();
    const category = await oneCategory(registry, model, flags.category as string | undefined, (c) => mlopsCommand('approve', [model, String(version)], { category: c }));
    const reason = (flags.reason as string | undefined) ?? `approved by ${ctx.actor}`;
    const handedOver = await decide(ctx, model, category, version, 'APPROVE', reason);
    if (handedOver) {
      if (ctx.json) { ctx.io.out(json({ approval: handedOver, via: 'pipeline' })); return 0; }
      ctx.io.out(`${model}/${category}: v${version} approved; the waiting pipeline (${handedOver.executionId}) promotes it now. Check with \`${mlopsCommand('versions', [model], { category })}\`.`);
      return 0;
    }
    const approved = await registry.setVersionStatus({ model, category, version, status: 'APPROVED', actor: ctx.actor, reason });
    const result = await registry.promote({ model, category, version, actor: ctx.actor, reason });
    if (ctx.json) { ctx.io.out(json({ version: approved, promotion: result, via: 'registry' })); return 0; }
    ctx.io.out(`${retainedText(result)}${model}/${category}: v${version} approved and in production${result.event?.fromVersion ? ` (was v${result.event.fromVersion})` : ''}.`);
    return 0;
  },
};

/** `mlops reject <model> <version>`: marks a version REJECTED so it is never promoted or ranked best. */
export const rejectCommand: Command = {
  ...COMMAND_TABLE.reject,
  async run(ctx, { positionals: [model, v], flags }) {
    const version = parseVersion(v);
    const reason = flags.reason as string;
    const registry = await ctx.registry();
    const category = await oneCategory(registry, model, flags.category as string | undefined, (c) => mlopsCommand('reject', [model, String(version)], { category: c, reason }));
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
