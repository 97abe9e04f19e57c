// Commands on one run's record: `mlops tag`, `mlops note`, `mlops artifacts`, and the run side of
// `mlops compare --runs`. Runs are keyed by their id; the model argument guards against acting
// on another model's run by a typo.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ModelRegistryClient, Run } from '../../lambda/shared/registry';
import { mlopsCommand } from '../command-line';
import { listRunArtifacts } from '../run-artifacts';
import { compareRunRecords, runIdsProblem } from '../run-comparison';
import { COMMAND_TABLE } from '../command-table';
import { CliContext } from '../context';
import { NotFound, UsageError } from '../errors';
import { formatNumber, json, shortTime, table } from '../output';
import { Command } from './command';

/** The run, checked to belong to `model`. */
async function modelRun(registry: ModelRegistryClient, model: string, runId: string): Promise<Run> {
  const run = await registry.getRun(runId);
  if (!run || run.model !== model) {
    throw new NotFound(`run ${runId} of ${model} does not exist${run ? ` (it is a run of ${run.model})` : ''}`, `list the runs with \`${mlopsCommand('runs', [model])}\``);
  }
  return run;
}

/** `mlops tag <model> --run R name=value ...` */
export const tagCommand: Command = {
  ...COMMAND_TABLE.tag,
  async run(ctx, { positionals: [model, ...pairs], flags }) {
    const tags: Record<string, string> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq < 1) throw new UsageError(`"${pair}" is not name=value`, 'write e.g. `baseline=yes` (or `baseline=` to remove the label)');
      tags[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const registry = await ctx.registry();
    await modelRun(registry, model, String(flags.run));
    const run = await registry.tagRun({ runId: String(flags.run), tags });
    if (ctx.json) { ctx.io.out(json(run.tags ?? {})); return 0; }
    const labels = Object.entries(run.tags ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
    ctx.io.out(`${run.runId}: ${labels.length ? labels.join(' ') : 'no labels'}`);
    return 0;
  },
};

/** `mlops note <model> --run R "text"` */
export const noteCommand: Command = {
  ...COMMAND_TABLE.note,
  async run(ctx, { positionals: [model, text], flags }) {
    const registry = await ctx.registry();
    await modelRun(registry, model, String(flags.run));
    const run = await registry.addRunNote({ runId: String(flags.run), text, actor: ctx.actor });
    if (ctx.json) { ctx.io.out(json(run.notes ?? [])); return 0; }
    ctx.io.out(`${run.runId}: ${run.notes?.length ?? 0} note(s); the latest by ${ctx.actor}.`);
    return 0;
  },
};

/** `mlops compare --runs R1 R2 ...`: params diff, final metrics, data and image. */
export async function compareRuns(ctx: CliContext, runIds: readonly string[]): Promise<number> {
  const problem = runIdsProblem(runIds);
  if (problem) throw new UsageError(`--runs: ${problem.message}`, `${problem.fix}, e.g. \`mlops compare --runs <run> <run>\``);
  const registry = await ctx.registry();
  const runs = await Promise.all(runIds.map(async (id) => {
    const run = await registry.getRun(id);
    if (!run) throw new NotFound(`run ${id} does not exist`, 'list the runs with `mlops runs <model>`');
    return run;
  }));
  const { metrics, hyperparameters: params, lineage } = compareRunRecords(runs);
  if (ctx.json) { ctx.io.out(json({ runs, metrics, hyperparameters: params, lineage })); return 0; }
  const cell = (v: unknown) => (v === null ? '-' : typeof v === 'number' ? formatNumber(v) : String(v));
  const row = (label: string, values: unknown[], changed?: boolean) => ({
    field: label, ...Object.fromEntries(runIds.map((id, i) => [id, cell(values[i])])), ...(changed === undefined ? {} : { changed: changed ? '<>' : '' }),
  });
  ctx.io.out(table(metrics.map((m) => row(m.name, m.values)), ['field', ...runIds]) || 'no metrics');
  ctx.io.out('');
  ctx.io.out(table([
    ...params.map((p) => row(`hp.${p.name}`, p.values, p.changed)),
    ...lineage.map((f) => row(f.name, f.name === 'startedAt' ? f.values.map((v) => shortTime(v as string)) : f.values, f.changed)),
  ], ['field', ...runIds, 'changed']));
  return 0;
}

/** `mlops artifacts <model> --run R [--download DIR]` */
export const artifactsCommand: Command = {
  ...COMMAND_TABLE.artifacts,
  async run(ctx, { positionals: [model], flags }) {
    const registry = await ctx.registry();
    const run = await modelRun(registry, model, String(flags.run));
    const s3 = ctx.s3();
    const listed = await listRunArtifacts(s3, run);
    if (flags.download !== undefined) {
      const root = resolve(String(flags.download));
      let files = 0;
      for (const { name, loc, objects } of listed) {
        if (!loc) continue;
        for (const o of objects) {
          const rel = loc.key.endsWith('/') ? o.Key!.slice(loc.key.length) : o.Key!.split('/').pop()!;
          const target = resolve(root, name, rel);
          // Keys are data: never write outside the chosen folder (a key of "../x").
          if (relative(root, target).startsWith(`..${sep}`) || relative(root, target) === '..') continue;
          const res = await s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: o.Key! }));
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, await res.Body!.transformToByteArray());
          files++;
        }
      }
      ctx.io.out(ctx.json ? json({ directory: root, files }) : `Downloaded ${files} file(s) of ${run.runId} into ${join(root, sep)}`);
      return 0;
    }
    const rows = listed.map(({ name, uri, objects }) => ({
      name, uri, files: objects.length, size: formatBytes(objects.reduce((n, o) => n + (o.Size ?? 0), 0)),
    }));
    if (ctx.json) { ctx.io.out(json(listed.map(({ name, uri, objects }) => ({ name, uri, objects: objects.map((o) => ({ key: o.Key, size: o.Size })) })))); return 0; }
    if (rows.length === 0) { ctx.io.out(`${run.runId} recorded no artifacts (status ${run.status}).`); return 0; }
    ctx.io.out(table(rows, ['name', 'files', 'size', 'uri']));
    ctx.io.out(`\nDownload: ${mlopsCommand('artifacts', [model], { run: run.runId, download: `./${run.runId}` })}`);
    return 0;
  },
};

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
