import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelVersion } from '../../lambda/shared/registry';
import { inferMetricDirection, loadModelSpec } from '../../lib/spec/load-model-spec';
import { mlopsCommand } from '../command-line';
import { NotFound, UsageError } from '../errors';
import { formatMetrics, formatNumber, json, shortTime, table } from '../output';
import { COMMAND_TABLE } from '../command-table';
import { Command } from './command';
import { compareRuns } from './run-records';
import { categoriesOf, oneCategory, parseVersion } from './common';

/** `mlops versions <model>`: versions newest first, with status, metrics and which one is in production. */
export const versionsCommand: Command = {
  ...COMMAND_TABLE.versions,
  async run(ctx, { positionals: [model], flags }) {
    const registry = await ctx.registry();
    const limit = flags.limit === undefined ? 20 : Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit ${flags.limit} is not a number from 1 to 1000`, 'write e.g. --limit 50');
    const rows: Array<ModelVersion & { production: boolean }> = [];
    for (const category of await categoriesOf(registry, model, flags.category as string | undefined)) {
      const prod = (await registry.getProduction(model, category))?.version;
      // A page ends at DynamoDB's 1 MB whatever the limit: follow the pages up to the limit.
      let nextToken: string | undefined;
      let taken = 0;
      do {
        const page = await registry.listVersions(model, category, { limit: limit - taken, nextToken });
        rows.push(...page.items.slice(0, limit - taken).map((v) => ({ ...v, production: v.version === prod })));
        taken += page.items.length;
        nextToken = page.nextToken;
      } while (nextToken && taken < limit);
    }
    if (ctx.json) { ctx.io.out(json(rows)); return 0; }
    if (rows.length === 0) { ctx.io.out(`No versions of ${model}${flags.category ? `/${flags.category}` : ''} yet.`); return 0; }
    ctx.io.out(table(rows.map((v) => ({
      category: v.category, version: `v${v.version}${v.production ? ' *' : ''}`, status: v.status, metrics: formatMetrics(v.metrics),
      registered: shortTime(v.registeredAt), date: v.executionDate, run: v.runId,
    })), ['category', 'version', 'status', 'metrics', 'registered', 'date', 'run']));
    ctx.io.out('* = in production');
    return 0;
  },
};

/** The metric and direction `best` ranks by: flags, else the model's spec in ./models/<model>/model.yaml. */
function rankingOf(ctx: { cwd: string }, model: string, flags: Record<string, unknown>): { metric: string; direction: 'maximize' | 'minimize' } {
  const specFile = ['model.yaml', 'model.yml'].map((f) => join(ctx.cwd, 'models', model, f)).find(existsSync);
  const spec = flags.metric === undefined && specFile ? loadModelSpec(specFile) : undefined;
  const metric = (flags.metric as string | undefined) ?? spec?.evaluation.metric;
  if (!metric) {
    throw new UsageError(`no metric to rank ${model} by`, `add --metric <name> (e.g. --metric rmse), or run from the repository that holds models/${model}/model.yaml`);
  }
  const direction = (flags.direction as string | undefined) ?? (spec?.evaluation.metric === metric ? spec.evaluation.direction : inferMetricDirection(metric));
  if (direction !== 'maximize' && direction !== 'minimize') {
    throw new UsageError(direction === undefined ? `the direction of metric "${metric}" is not known` : `--direction ${direction} is not maximize or minimize`,
      'add --direction minimize (errors, losses) or --direction maximize (scores)');
  }
  return { metric, direction };
}

/** `mlops best <model>`: the best version per category by the evaluation metric. */
export const bestCommand: Command = {
  ...COMMAND_TABLE.best,
  async run(ctx, { positionals: [model], flags }) {
    const { metric, direction } = rankingOf(ctx, model, flags);
    const registry = await ctx.registry();
    const rows = [];
    for (const category of await categoriesOf(registry, model, flags.category as string | undefined)) {
      const best = await registry.findBestVersion({ model, category, metric, direction });
      const prod = (await registry.getProduction(model, category))?.version;
      rows.push({ category, metric, direction, best: best ?? null, production: prod ?? null });
    }
    if (ctx.json) { ctx.io.out(json(rows)); return 0; }
    ctx.io.out(table(rows.map((r) => ({
      category: r.category,
      best: r.best ? `v${r.best.version}` : 'none',
      [metric]: r.best ? formatNumber(r.best.metrics[metric]) : `no version has ${metric}`,
      status: r.best?.status,
      production: r.production === null ? '-' : `v${r.production}${r.best?.version === r.production ? ' (best)' : ''}`,
      date: r.best?.executionDate,
      run: r.best?.runId,
    })), ['category', 'best', metric, 'status', 'production', 'date', 'run']));
    const better = rows.filter((r) => r.best && r.best.version !== r.production);
    for (const r of better) ctx.io.out(`To serve v${r.best!.version} in ${r.category}: ${mlopsCommand('promote', [model, String(r.best!.version)], { category: r.category, reason: `best ${metric}` })}`);
    return rows.some((r) => r.best) ? 0 : 2;
  },
};

/** `mlops compare <model> <v1> <v2>`: two versions side by side (`--runs`: 2-5 runs). */
export const compareCommand: Command = {
  ...COMMAND_TABLE.compare,
  async run(ctx, { positionals, flags }) {
    if (flags.runs === true) return compareRuns(ctx, positionals);
    if (positionals.length !== 3) throw new UsageError(`compare takes <model> <v1> <v2>, not ${positionals.length} argument(s)`, `usage: mlops compare ${COMMAND_TABLE.compare.usage}`);
    const [model, a, b] = positionals;
    const [v1, v2] = [parseVersion(a, 'v1'), parseVersion(b, 'v2')];
    const registry = await ctx.registry();
    const category = await oneCategory(registry, model, flags.category as string | undefined, (c) => mlopsCommand('compare', [model, String(v1), String(v2)], { category: c }));
    const [x, y] = await Promise.all([registry.getVersion(model, category, v1), registry.getVersion(model, category, v2)]);
    for (const [n, v] of [[v1, x], [v2, y]] as const) {
      if (!v) throw new NotFound(`version ${n} of ${model}/${category} does not exist`, `list the versions with \`${mlopsCommand('versions', [model], { category })}\``);
    }
    const metricNames = [...new Set([...Object.keys(x!.metrics), ...Object.keys(y!.metrics)])].sort();
    const paramNames = [...new Set([...Object.keys(x!.hyperparameters), ...Object.keys(y!.hyperparameters)])].sort();
    // null, not a missing key, where a version lacks a metric or hyperparameter: scripts see every field.
    const metrics = metricNames.map((m) => {
      const [m1, m2] = [x!.metrics[m] ?? null, y!.metrics[m] ?? null];
      return { name: m, v1: m1, v2: m2, diff: m1 !== null && m2 !== null ? m2 - m1 : null };
    });
    const hyperparameters = paramNames.map((p) => ({ name: p, v1: x!.hyperparameters[p] ?? null, v2: y!.hyperparameters[p] ?? null, changed: x!.hyperparameters[p] !== y!.hyperparameters[p] }));
    if (ctx.json) { ctx.io.out(json({ model, category, v1: x, v2: y, metrics, hyperparameters })); return 0; }
    const h1 = `v${v1}`; const h2 = `v${v2}`;
    const num = (v: number | null) => (v === null ? '-' : formatNumber(v));
    ctx.io.out(`${model}/${category}: v${v1} vs v${v2}\n`);
    ctx.io.out(table(metrics.map((m) => ({ metric: m.name, [h1]: num(m.v1), [h2]: num(m.v2), diff: m.diff === null ? '-' : `${m.diff > 0 ? '+' : ''}${formatNumber(m.diff)}` })), ['metric', h1, h2, 'diff']) || 'no metrics');
    ctx.io.out('');
    ctx.io.out(table([
      ...hyperparameters.map((p) => ({ field: `hp.${p.name}`, [h1]: p.v1, [h2]: p.v2, changed: p.changed ? '<>' : '' })),
      ...(['status', 'executionDate', 'datasetVersion', 'image', 'runId', 'registeredAt'] as const).map((f) => ({ field: f, [h1]: x![f], [h2]: y![f], changed: x![f] !== y![f] ? '<>' : '' })),
    ], ['field', h1, h2, 'changed']));
    return 0;
  },
};
