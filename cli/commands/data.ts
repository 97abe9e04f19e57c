// `mlops data put` / `mlops data ls`: training data where the model's runs read it,
// `<data.location><category>/<YYYY-MM-DD>/` in the platform's datasets bucket (layout.datasetPrefix).
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { checkFile, newStats } from '../../lambda/shared/training/data-checks';
import { dateInZone } from '../../lambda/shared/training/plan';
import { listAll } from '../../lambda/shared/training/s3';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { MODELS_DIR_ENV } from '../../lib/spec/models-dir';
import { mlopsCommand } from '../command-line';
import { COMMAND_TABLE } from '../command-table';
import { CliContext } from '../context';
import { EXIT, NotFound, UsageError } from '../errors';
import { json, table } from '../output';
import { Command } from './command';

/** The spec of `model` in `--models-dir` / $MLOPS_MODELS_DIR / ./models (throws every problem of an invalid one). */
export function modelSpecOf(ctx: CliContext, model: string, modelsDirFlag: unknown): ModelSpec {
  const dir = resolve(ctx.cwd, (modelsDirFlag as string | undefined) ?? ctx.env[MODELS_DIR_ENV] ?? 'models');
  const file = ['model.yaml', 'model.yml'].map((f) => join(dir, model, f)).find(existsSync);
  if (!file) {
    const shown = relative(ctx.cwd, join(dir, model, 'model.yaml'));
    throw new NotFound(`model "${model}" has no spec at ${shown}`, `run from the folder that holds models/${model}/model.yaml, or pass --models-dir <dir> (or set $${MODELS_DIR_ENV})`);
  }
  return loadModelSpec(file);
}

function checkCategory(spec: ModelSpec, category: string): void {
  if (!spec.categories.includes(category)) {
    throw new UsageError(`--category ${category} is not a category of model "${spec.name}" (${spec.categories.join(', ')})`, `use one of ${spec.categories.join(', ')}, or add it to categories in the spec`);
  }
}

/** The files to upload, with their paths relative to what was named (a file alone: its name). */
function filesOf(path: string): Array<{ file: string; name: string }> {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new NotFound(`${path} does not exist`, 'name a data file or a folder of data files');
  if (st.isFile()) return [{ file: path, name: path.split(sep).pop()! }];
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
  const files = walk(path).map((file) => ({ file, name: relative(path, file).split(sep).join('/') }));
  if (files.length === 0) throw new UsageError(`${path} holds no files`, 'put the data files in the folder, or name a file');
  return files;
}

/** `mlops data put <model> <file|dir> --category c [--date D]`. */
export const dataPutCommand: Command = {
  ...COMMAND_TABLE['data put'],
  async run(ctx, args) {
    const [model, path] = args.positionals;
    const spec = modelSpecOf(ctx, model, args.flags['models-dir']);
    const category = args.flags.category as string;
    checkCategory(spec, category);
    const date = (args.flags.date as string | undefined) ?? dateInZone(ctx.now().toISOString(), spec.schedule.timeZone);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
      throw new UsageError(`--date ${date} is not a date`, 'write --date YYYY-MM-DD, e.g. --date 2026-11-24');
    }
    const files = filesOf(resolve(ctx.cwd, path));
    const bucket = await ctx.datasetsBucket();
    const prefix = `${spec.data.location}${category}/${date}/`;
    const uploaded: Array<{ key: string; size: number }> = [];
    for (const f of files) {
      // One PUT per file (S3 takes up to 5 GiB so); a daily partition is usually many smaller files.
      const body = readFileSync(f.file);
      const key = `${prefix}${f.name}`;
      await ctx.s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      uploaded.push({ key, size: body.length });
    }
    if (ctx.json) { ctx.io.out(json({ bucket, prefix, uri: `s3://${bucket}/${prefix}`, objects: uploaded })); return 0; }
    ctx.io.out(`Uploaded ${uploaded.length} file${uploaded.length === 1 ? '' : 's'} (${uploaded.reduce((n, o) => n + o.size, 0)} bytes) to s3://${bucket}/${prefix}`);
    for (const o of uploaded) ctx.io.out(`  ${o.key.slice(prefix.length)}  ${o.size} bytes`);
    ctx.io.out(`The ${spec.name}/${category} run of ${date} reads them; check what runs will see with \`${mlopsCommand('data ls', [model], { category })}\`.`);
    return 0;
  },
};

/** One date folder of a category: what a run of that date reads. */
interface Partition { category: string; date: string; files: number; bytes: number; newest: string; fresh: boolean }

/** `mlops data ls <model> [--category c]`: the date folders within data.maxAge of now. */
export const dataLsCommand: Command = {
  ...COMMAND_TABLE['data ls'],
  async run(ctx, args) {
    const [model] = args.positionals;
    const spec = modelSpecOf(ctx, model, args.flags['models-dir']);
    const only = args.flags.category as string | undefined;
    if (only !== undefined) checkCategory(spec, only);
    const now = ctx.now();
    const tz = spec.schedule.timeZone;
    const today = dateInZone(now.toISOString(), tz);
    const oldest = dateInZone(new Date(now.getTime() - spec.data.maxAgeSeconds * 1000).toISOString(), tz);
    const bucket = await ctx.datasetsBucket();
    const rows: Partition[] = [];
    for (const category of only === undefined ? spec.categories : [only]) {
      const base = `${spec.data.location}${category}/`;
      const byDate = new Map<string, Partition>();
      for (const o of await listAll(ctx.s3(), bucket, base)) {
        const [date, ...rest] = o.Key!.slice(base.length).split('/');
        const name = rest.join('/');
        // Markers and hidden files (`_SUCCESS`, `.keep`) are not data, as data validation reads it.
        if (!name || name.startsWith('_') || name.startsWith('.') || (o.Size ?? 0) === 0 || date < oldest || date > today) continue;
        const p = byDate.get(date) ?? { category, date, files: 0, bytes: 0, newest: '', fresh: false };
        const modified = (o.LastModified ?? new Date(0)).toISOString();
        byDate.set(date, { ...p, files: p.files + 1, bytes: p.bytes + (o.Size ?? 0), newest: modified > p.newest ? modified : p.newest });
      }
      rows.push(...[...byDate.values()].sort((a, b) => b.date.localeCompare(a.date))
        .map((p) => ({ ...p, fresh: now.getTime() - Date.parse(p.newest) <= spec.data.maxAgeSeconds * 1000 })));
    }
    if (ctx.json) { ctx.io.out(json({ bucket, today, timeZone: tz, maxAgeSeconds: spec.data.maxAgeSeconds, partitions: rows })); return 0; }
    const where = `s3://${bucket}/${spec.data.location}<category>/<date>/`;
    if (rows.length === 0) ctx.io.out(`No data of ${model}${only ? `/${only}` : ''} dated ${oldest} to ${today} under ${where}.`);
    else {
      ctx.io.out(table(rows.map((p) => ({ ...p, newest: p.newest.replace(/\.\d{3}Z$/, 'Z'), fresh: p.fresh ? 'yes' : 'no (too old)' })),
        ['category', 'date', 'files', 'bytes', 'newest', 'fresh']));
    }
    const missing = (only === undefined ? spec.categories : [only]).filter((c) => !rows.some((p) => p.category === c && p.date === today && p.fresh));
    ctx.io.out(`A run started now reads ${where} with date ${today} (today in ${tz}); its newest file must be at most ${spec.data.maxAgeSeconds / 3600} h old.`);
    if (missing.length > 0) {
      ctx.io.out(`Missing for ${today}: ${missing.join(', ')}; upload with \`${mlopsCommand('data put', [model, '<path>'], { category: missing[0] })}\`.`);
    }
    return 0;
  },
};

/**
 * `mlops validate <model> --data <file|dir>`: the data checks the training pipeline runs before
 * it pays for training (format, declared columns and types, minRows), on local files. Every row
 * is type-checked (the pipeline samples the first rows of a category). Markers and hidden files
 * are skipped, as in the pipeline. Exit 0 when the data passes, 1 when it does not.
 */
export async function validateDataFiles(ctx: CliContext, model: string | undefined, path: string, modelsDirFlag: unknown): Promise<number> {
  if (model === undefined) throw new UsageError('--data needs the model whose data checks to run', `name it: \`${mlopsCommand('validate', ['<model>'], { data: path })}\``);
  const spec = modelSpecOf(ctx, model, modelsDirFlag);
  const files = filesOf(resolve(ctx.cwd, path)).filter((f) => !f.name.split('/').some((part) => part.startsWith('_') || part.startsWith('.')));
  const config = { format: spec.data.format, columns: spec.data.columns, minRows: spec.data.minRows, maxAgeSeconds: 0, sampleRows: Number.MAX_SAFE_INTEGER };
  const stats = newStats();
  for (const f of files) await checkFile(createReadStream(f.file), f.name, config, stats);
  const problems = [...stats.problems];
  if (stats.rows < spec.data.minRows) problems.push(`${stats.rows} rows, fewer than the required ${spec.data.minRows} (data.minRows)`);
  if (ctx.json) {
    ctx.io.out(json({ ok: problems.length === 0, files: files.map((f) => f.name), rows: stats.rows, columns: stats.columns ?? [], problems }));
  } else if (problems.length > 0) {
    for (const p of problems) ctx.io.out(`error: ${p}`);
    ctx.io.out(`${problems.length} problem${problems.length === 1 ? '' : 's'} with ${spec.data.format} data for ${model} (data.format, data.schema, data.minRows); a training run would fail on this data.`);
  } else {
    ctx.io.out(`ok: ${files.length} file${files.length === 1 ? '' : 's'}, ${stats.rows} rows, columns ${(stats.columns ?? []).join(', ')}: the data checks of ${model} pass.`);
  }
  return problems.length === 0 ? EXIT.ok : EXIT.usage;
}
