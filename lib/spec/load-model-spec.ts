// Loads model specs from YAML: parse, check every field against the declaration in
// spec-fields.ts, apply defaults, then resolve what depends on several fields (serving choice,
// image, inferred metric direction). Every problem is collected before anything is thrown, so a
// data scientist fixes a spec in one pass.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { specPropProblems } from '../platform/validate-spec-props';
import { ResolveContext, SpecProblem, formatProblem } from './fields';
import {
  AccessMode, InferenceMode, MetricDirection, ModelSpec, ServingFrontEnd, TrainingEngine,
} from './model-spec';
import { chooseServing } from '../cost/serving-choice';
import { formatDuration } from './units';
import { MODEL_NAME_RULE, isModelName } from '../../lambda/shared/names-and-numbers';
import { ParsedSpec, peakStartToCron, specField } from './spec-fields';

/** Thrown when one or more specs are invalid; `problems` lists every one. */
export class ModelSpecError extends Error {
  constructor(readonly problems: readonly SpecProblem[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in model spec${new Set(problems.map((p) => p.file)).size === 1 ? '' : 's'}:\n`
      + problems.map((p) => `  - ${formatProblem(p)}`).join('\n'));
    this.name = 'ModelSpecError';
  }
}

/** Options of {@link parseModelSpec}. */
export interface ParseModelSpecOptions {
  /** Shown in problems and recorded as `spec.file`. @default '<inline>' */
  readonly file?: string;
  /** Folder relative image paths are resolved against. @default - the file's folder, or the working directory */
  readonly dir?: string;
  /** Model name when the spec has no `name:`. @default - the file's folder name */
  readonly defaultName?: string;
}

/** The serving choice is the cost model's (lib/cost), exported where it always was. */
export { chooseServing };

/** GPU (or accelerator) instance families, with or without the SageMaker `ml.` prefix. */
export function isGpuInstanceType(instanceType: string): boolean {
  return /^(ml\.)?(p\d|g\d|inf\d|trn\d|dl\d)/.test(instanceType);
}

/** Well-known metric names whose direction needs no declaration. */
const KNOWN_DIRECTIONS: Record<string, MetricDirection> = Object.fromEntries([
  ...['rmse', 'mse', 'mae', 'mape', 'smape', 'wape', 'loss', 'logloss', 'log_loss', 'error', 'wql'].map((m) => [m, MetricDirection.MINIMIZE]),
  ...['auc', 'accuracy', 'f1', 'precision', 'recall', 'r2', 'map', 'ndcg'].map((m) => [m, MetricDirection.MAXIMIZE]),
]);

/** The direction of a well-known metric name (rmse: minimize, auc: maximize), else undefined. */
export function inferMetricDirection(metric: string): MetricDirection | undefined {
  return KNOWN_DIRECTIONS[metric.toLowerCase()];
}

/** Reads, validates and resolves one spec file; throws ModelSpecError listing every problem. */
export function loadModelSpec(file: string): ModelSpec {
  const result = readModelSpec(file);
  if (result.problems.length) throw new ModelSpecError(result.problems);
  return result.spec!;
}

/**
 * Loads every `<dir>/<model>/model.yaml` (or `.yml`), sorted by model name. Problems of all files
 * (and duplicate model names) are reported together.
 */
export function loadModelSpecs(modelsDir: string): ModelSpec[] {
  const problems: SpecProblem[] = [];
  const specs: ModelSpec[] = [];
  const folders = existsSync(modelsDir) ? readdirSync(modelsDir).filter((d) => statSync(join(modelsDir, d)).isDirectory()).sort() : [];
  for (const folder of folders) {
    const file = ['model.yaml', 'model.yml'].map((f) => join(modelsDir, folder, f)).find((f) => existsSync(f));
    if (!file) continue;
    const r = readModelSpec(file);
    problems.push(...r.problems);
    if (r.spec) specs.push(r.spec);
  }
  const seen = new Map<string, string>();
  for (const s of specs) {
    const other = seen.get(s.name);
    if (other) problems.push({ file: s.file, path: 'name', value: s.name, expected: `a model name not used by ${other}`, fix: 'rename one of the models' });
    seen.set(s.name, s.file);
  }
  if (problems.length) throw new ModelSpecError(problems);
  return specs.sort((a, b) => a.name.localeCompare(b.name));
}

/** Reads one spec file and returns the spec or every problem (no throw). */
export function readModelSpec(file: string): { spec?: ModelSpec; problems: SpecProblem[] } {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    return { problems: [{ file, path: '', value: undefined, expected: 'a readable YAML file', fix: `check the path (${(e as Error).message})` }] };
  }
  return parseModelSpecText(source, { file, dir: dirname(resolve(file)), defaultName: basename(dirname(resolve(file))) });
}

/** Parses YAML text into a spec or every problem (no throw). */
export function parseModelSpecText(source: string, options: ParseModelSpecOptions = {}): { spec?: ModelSpec; problems: SpecProblem[] } {
  const file = options.file ?? '<inline>';
  const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      problems: doc.errors.map((e) => ({
        file, path: '', value: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : undefined,
        expected: 'valid YAML', fix: e.message.split('\n')[0],
      })),
    };
  }
  return parseModelSpecObject(doc.toJS(), options);
}

/** Validates an already-parsed object (e.g. from JSON) into a spec or every problem (no throw). */
export function parseModelSpecObject(raw: unknown, options: ParseModelSpecOptions = {}): { spec?: ModelSpec; problems: SpecProblem[] } {
  const file = options.file ?? '<inline>';
  const ctx: ResolveContext = { file, dir: options.dir ?? process.cwd(), problems: [] };
  const parsed = specField.parse(raw ?? {}, '', ctx);
  if (!parsed) return { problems: ctx.problems };
  const spec = resolveSpec(parsed, ctx, options.defaultName);
  if (ctx.problems.length) return { problems: ctx.problems };
  // The constructs' own validators on the props the platform maps from this spec.
  const props = specPropProblems(spec);
  return props.length ? { problems: props } : { spec, problems: [] };
}

/** Parses YAML text into a spec; throws ModelSpecError listing every problem. */
export function parseModelSpec(source: string, options: ParseModelSpecOptions = {}): ModelSpec {
  const r = parseModelSpecText(source, options);
  if (r.problems.length) throw new ModelSpecError(r.problems);
  return r.spec!;
}

function resolveSpec(p: ParsedSpec, ctx: ResolveContext, defaultName: string | undefined): ModelSpec {
  const problem = (path: string, value: unknown, expected: string, fix: string) => ctx.problems.push({ file: ctx.file, path, value, expected, fix });

  const name = p.name ?? defaultName ?? '';
  if (!isModelName(name)) {
    problem('name', p.name ?? defaultName, MODEL_NAME_RULE,
      p.name ? 'rename the model' : `add "name:" (the folder name "${defaultName ?? ''}" is not a valid model name)`);
  }

  // Training: image is a Dockerfile folder or an image URI; instance type follows the backend.
  const t = p.training;
  const isDir = t.image.startsWith('.') || isAbsolute(t.image);
  const imageDirectory = isDir ? resolve(ctx.dir, t.image) : undefined;
  if (imageDirectory && !existsSync(join(imageDirectory, 'Dockerfile'))) {
    problem('training.image', t.image, `a folder with a Dockerfile (none at ${join(imageDirectory, 'Dockerfile')})`, 'add the Dockerfile, fix the path (relative to the spec), or use an image URI');
  }
  if (!isDir && !/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+([:@][A-Za-z0-9._:-]+)?$/.test(t.image)) {
    problem('training.image', t.image, 'a Dockerfile folder starting with "." or "/", or an image URI such as "123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1.4"', 'write "./container" for a folder');
  }
  const sagemaker = t.backend === TrainingEngine.SAGEMAKER;
  const instanceType = t.instanceType ?? (sagemaker ? 'ml.m5.large' : 'g4dn.xlarge');
  if (sagemaker !== instanceType.startsWith('ml.')) {
    problem('training.instanceType', instanceType, sagemaker ? 'a SageMaker instance type (starting with "ml.")' : 'an EC2 instance type for AWS Batch (without "ml.")',
      sagemaker ? `write "ml.${instanceType}"` : `write "${instanceType.replace(/^ml\./, '')}"`);
  }
  if (sagemaker && t.maxVcpus !== undefined) {
    problem('training.maxVcpus', t.maxVcpus, 'no maxVcpus with backend sagemaker (instanceCount caps the job)', 'remove maxVcpus, or set backend: batch');
  }
  if (!sagemaker && t.command.length === 0) {
    problem('training.command', t.command, 'the training command with backend batch', 'write e.g. command: ["python3", "/opt/program/train.py"]');
  }
  if (sagemaker && t.spot && t.maxWaitSeconds < t.maxRuntimeSeconds) {
    problem('training.maxWait', describeDurationS(t.maxWaitSeconds), `at least maxRuntime (${describeDurationS(t.maxRuntimeSeconds)}) for Spot training`, 'raise maxWait or lower maxRuntime');
  }

  // Evaluation: infer the direction of well-known metrics.
  const e = p.evaluation;
  const direction = e.direction ?? inferMetricDirection(e.metric);
  if (!direction) {
    problem('evaluation.direction', undefined, `"maximize" or "minimize" (the direction of "${e.metric}" is not known)`, 'add "direction: minimize" for an error or loss, "direction: maximize" for a score');
  }

  // Inference: traffic consistency and the serving choice.
  const i = p.inference;
  if (!(i.tps.min <= i.tps.avg && i.tps.avg <= i.tps.max)) {
    problem('inference.tps', i.tps, 'min <= avg <= max', 'reorder the three values');
  }
  i.peakWindows.forEach((w, n) => {
    if (w.tps > i.tps.max) problem(`inference.peakWindows[${n}].tps`, w.tps, `at most inference.tps.max (${i.tps.max})`, `raise inference.tps.max to ${w.tps} or lower the peak`);
  });
  if (i.slo.p95Ms > i.slo.p99Ms) problem('inference.slo.p95', `${i.slo.p95Ms}ms`, `at most p99 (${i.slo.p99Ms}ms)`, 'swap p95 and p99');
  if (i.serving === ServingFrontEnd.NONE && i.mode !== InferenceMode.BATCH) {
    problem('inference.serving', i.serving, `a front end ("service" or "api") for mode ${i.mode}`, 'remove serving to let the platform choose, or set mode: batch');
  }
  const peakWindows = i.peakWindows.map((w) => ({ ...w, startCron: peakStartToCron(w.startCron) }));
  const serving = chooseServing(i.serving, { schedule: p.schedule, inference: { tps: i.tps, peakWindows, slo: i.slo } });
  // Access: what each client path needs, and nothing another path would ignore.
  const a = i.access;
  const onlyFor = (field: keyof typeof a, present: boolean, mode: AccessMode, fix: string) => {
    if (present && a.mode !== mode) problem(`inference.access.${field}`, a[field], `no ${field} with mode ${a.mode} (it applies to mode ${mode})`, fix);
  };
  onlyFor('clientCidrs', a.clientCidrs.length > 0, AccessMode.VPC, 'remove it, or set mode: vpc');
  onlyFor('clientPrefixLists', a.clientPrefixLists.length > 0, AccessMode.VPC, 'remove it, or set mode: vpc');
  onlyFor('allowedPrincipals', a.allowedPrincipals.length > 0, AccessMode.PRIVATE_LINK, 'remove it, or set mode: private-link');
  onlyFor('trustStoreArn', a.trustStoreArn !== undefined, AccessMode.INTERNET, 'remove trustStore, or set mode: internet');
  if (a.mode === AccessMode.PRIVATE_LINK && a.allowedPrincipals.length === 0) {
    problem('inference.access.allowedPrincipals', [], 'at least one principal with mode private-link', 'add the client account, e.g. allowedPrincipals: ["arn:aws:iam::111122223333:root"]');
  }
  if (a.mode === AccessMode.INTERNET && (a.certificateArn === undefined || a.trustStoreArn === undefined)) {
    problem(`inference.access.${a.certificateArn === undefined ? 'certificate' : 'trustStore'}`, undefined, 'a certificate and a trust store with mode internet (HTTPS with client certificates; an internet endpoint without authentication is refused)',
      'add certificate: <ACM certificate ARN> and trustStore: <ELB trust store ARN>, or use mode vpc or private-link');
  }

  if (serving.frontEnd !== ServingFrontEnd.SERVICE && (a.mode !== AccessMode.VPC || a.clientCidrs.length + a.clientPrefixLists.length > 0)) {
    problem('inference.access', a, `no access settings with front end "${serving.frontEnd}" (they apply to serving: service)`, 'set serving: service, or remove access');
  }

  return {
    name,
    file: ctx.file,
    description: p.description,
    owner: p.owner,
    schedule: p.schedule,
    categories: p.categories,
    data: {
      ...p.data,
      location: normalizeLocation(p.data.location ?? `${name}/`),
      external: (p.data.location ?? '').startsWith('s3://'),
    },
    training: {
      backend: t.backend,
      imageUri: isDir ? undefined : t.image,
      imageDirectory,
      instanceType,
      instanceCount: t.instanceCount,
      spot: t.spot,
      maxWaitSeconds: t.maxWaitSeconds,
      maxRuntimeSeconds: t.maxRuntimeSeconds,
      retries: t.retries,
      volumeSizeGiB: t.volumeSizeGiB,
      maxVcpus: t.maxVcpus,
      command: t.command,
      hyperparameters: t.hyperparameters,
      maxConcurrency: t.maxConcurrency,
      toleratedFailures: t.toleratedFailures,
    },
    evaluation: { ...e, direction: direction ?? MetricDirection.MINIMIZE },
    inference: {
      ...i,
      peakWindows,
      rpoSeconds: i.rpoSeconds ?? i.ttlSeconds,
      serving: serving.frontEnd,
      servingReason: serving.reason,
      serviceName: i.serviceName ?? name,
    },
    acknowledgements: p.acknowledgements,
  };
}

function normalizeLocation(location: string): string {
  return location.endsWith('/') ? location : `${location}/`;
}

function describeDurationS(s: number): string {
  return formatDuration(s * 1000);
}
