// Loads model specs from YAML: parse, check every field against the declaration in
// spec-fields.ts, apply defaults, then resolve what depends on several fields (serving choice,
// image, inferred metric direction). Every problem is collected before anything is thrown, so a
// data scientist fixes a spec in one pass.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { specPropProblems } from '../platform/validate-spec-props';
import { ResolveContext, SpecProblem, describeValue, formatProblem } from './fields';
import {
  AccessMode, InferenceMode, MetricDirection, ModelSpec, ServingFrontEnd, TrainingEngine,
} from './model-spec';
import { chooseServing } from '../cost/serving-choice';
import { formatDuration } from './units';
import { MODEL_NAME_RULE, isModelName } from '../../lambda/shared/names-and-numbers';
import { ParsedSpec, hostingDefaults, peakStartToCron, specField } from './spec-fields';
import { hostingProblems, servingForHosting } from './hosting-checks';
import { ASYNC_LIMITS } from '../../lambda/shared/predict/async-config';
import { ModelHosting } from './model-spec';
import { resolveFeatures } from './feature-fields';
import { OFFLINE_STORE_ROOT } from '../feature-store/feature-group';

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
  const r = inspectModelSpecs(modelsDir);
  if (r.problems.length) throw new ModelSpecError(r.problems);
  return r.specs;
}

/** The spec files of a models folder: `<dir>/<model>/model.yaml` (or `.yml`), by folder name. */
export function modelSpecFiles(modelsDir: string): string[] {
  const folders = existsSync(modelsDir) ? readdirSync(modelsDir).filter((d) => statSync(join(modelsDir, d)).isDirectory()).sort() : [];
  return folders.flatMap((folder) => ['model.yaml', 'model.yml'].map((f) => join(modelsDir, folder, f)).find((f) => existsSync(f)) ?? []);
}

/**
 * Every problem of every spec in a models folder (and duplicate names), in one pass, with the
 * specs resolved leniently (bad values replaced by their defaults) so pattern checks can run on
 * them too. Specs are sorted by model name.
 */
export function inspectModelSpecs(modelsDir: string): { specs: ModelSpec[]; problems: SpecProblem[] } {
  const problems: SpecProblem[] = [];
  const specs: ModelSpec[] = [];
  for (const file of modelSpecFiles(modelsDir)) {
    const r = inspectModelSpec(file);
    problems.push(...r.problems);
    if (r.spec) specs.push(r.spec);
  }
  const seen = new Map<string, string>();
  for (const s of specs) {
    const other = seen.get(s.name);
    if (other) problems.push({ file: s.file, path: 'name', value: s.name, expected: `a model name not used by ${other}`, fix: 'rename one of the models' });
    seen.set(s.name, s.file);
  }
  return { specs: specs.sort((a, b) => a.name.localeCompare(b.name)), problems };
}

/** Reads one spec file and returns the spec or every problem (no throw). */
export function readModelSpec(file: string): { spec?: ModelSpec; problems: SpecProblem[] } {
  return strict(inspectModelSpec(file));
}

/** Reads one spec file: every problem, and the spec resolved with stand-ins for bad values (no throw). */
export function inspectModelSpec(file: string): { spec?: ModelSpec; problems: SpecProblem[] } {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    return { problems: [{ file, path: '', value: undefined, expected: 'a readable YAML file', fix: `check the path (${(e as Error).message})` }] };
  }
  return inspectModelSpecText(source, { file, dir: dirname(resolve(file)), defaultName: basename(dirname(resolve(file))) });
}

/** Parses YAML text into a spec or every problem (no throw). */
export function parseModelSpecText(source: string, options: ParseModelSpecOptions = {}): { spec?: ModelSpec; problems: SpecProblem[] } {
  return strict(inspectModelSpecText(source, options));
}

function inspectModelSpecText(source: string, options: ParseModelSpecOptions): { spec?: ModelSpec; problems: SpecProblem[] } {
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
  return inspectModelSpecObject(doc.toJS(), options);
}

/** A spec only when it has no problem. */
function strict(r: { spec?: ModelSpec; problems: SpecProblem[] }): { spec?: ModelSpec; problems: SpecProblem[] } {
  return r.problems.length ? { problems: r.problems } : r;
}

/**
 * Validates an already-parsed object (e.g. from JSON) into a spec or every problem (no throw):
 * field problems, problems across fields, and what the platform's constructs would reject, in
 * one pass. A bad value takes its default so the later stages still run; a later problem at (or
 * inside, or around) a field that already has one is left out, as it rests on the stand-in.
 */
export function parseModelSpecObject(raw: unknown, options: ParseModelSpecOptions = {}): { spec?: ModelSpec; problems: SpecProblem[] } {
  return strict(inspectModelSpecObject(raw, options));
}

/**
 * Like {@link parseModelSpecObject}, but also returns the spec resolved with stand-ins for bad
 * values (when the file is a map at all), so pattern checks can run on a spec with problems.
 */
export function inspectModelSpecObject(raw: unknown, options: ParseModelSpecOptions = {}): { spec?: ModelSpec; problems: SpecProblem[] } {
  const file = options.file ?? '<inline>';
  const ctx: ResolveContext = { file, dir: options.dir ?? process.cwd(), problems: [], lenient: true, defaulted: new Map() };
  const parsed = specField.parse(raw ?? {}, '', ctx);
  if (!parsed) return { problems: ctx.problems };
  const fields = [...ctx.problems];
  const resolving: ResolveContext = { ...ctx, problems: [] };
  const spec = resolveSpec(parsed, resolving, options.defaultName);
  const problems = addUnrelated(fields, resolving.problems);
  // The constructs' own validators on the props the platform maps from this spec.
  return { spec, problems: addUnrelated(problems, specPropProblems(spec)) };
}

/** `earlier` plus the `later` problems whose field is not inside, around or at an earlier one. */
function addUnrelated(earlier: readonly SpecProblem[], later: readonly SpecProblem[]): SpecProblem[] {
  return [...earlier, ...later.filter((l) => !earlier.some((e) => relatedPaths(e.path, l.path)))];
}

/** Whether one dotted field path is the other, or inside it (`inference.tps` and `inference.tps.avg`). */
export function relatedPaths(a: string, b: string): boolean {
  const within = (inner: string, outer: string) => outer === '' || inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return within(a, b) || within(b, a);
}

/** Parses YAML text into a spec; throws ModelSpecError listing every problem. */
export function parseModelSpec(source: string, options: ParseModelSpecOptions = {}): ModelSpec {
  const r = parseModelSpecText(source, options);
  if (r.problems.length) throw new ModelSpecError(r.problems);
  return r.spec!;
}

function resolveSpec(p: ParsedSpec, ctx: ResolveContext, defaultName: string | undefined): ModelSpec {
  const problem = (path: string, value: unknown, expected: string, fix: string) => ctx.problems.push({ file: ctx.file, path, value, expected, fix });
  // An order between the values of a block: when the block was written in part, the defaults
  // that filled the rest are what break the order, so say which, and ask for every value.
  const ordered = (at: { block: string; path: string; value: unknown }, values: Record<string, unknown>, relation: string, expected: string, fix: string) => {
    const keys = Object.keys(values);
    const filled = ctx.defaulted?.get(at.block)?.filter((k) => keys.includes(k)) ?? [];
    if (filled.length === 0) { problem(at.path, at.value, expected, fix); return; }
    const written = Object.fromEntries(keys.filter((k) => !filled.includes(k)).map((k) => [k, values[k]]));
    const defaults = filled.map((k) => `${k}: ${describeValue(values[k])}`).join(' and ');
    problem(at.block, written, `${relation}, which fails because the default${filled.length === 1 ? '' : 's'} ${defaults} ${filled.length === 1 ? 'was' : 'were'} merged into a block written in part`,
      `write all ${keys.length === 2 ? 'both' : keys.length === 3 ? 'three' : keys.length} values (${keys.join(', ')}) so that ${relation}`);
  };

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
    problem('training.image', t.image, `a folder with a Dockerfile (there is no ${t.image.replace(/\/$/, '')}/Dockerfile${isAbsolute(t.image) ? '' : ' next to the spec'})`, 'add the Dockerfile, fix the path (relative to the spec), or use an image URI');
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
    const filled = ctx.defaulted?.get('training')?.includes('maxWait');
    problem('training.maxWait', describeDurationS(t.maxWaitSeconds), `at least maxRuntime (${describeDurationS(t.maxRuntimeSeconds)}) for Spot training${filled ? ' (maxWait was not written: this is its default)' : ''}`,
      filled ? `write maxWait too, at least ${describeDurationS(t.maxRuntimeSeconds)}` : 'raise maxWait or lower maxRuntime');
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
    ordered({ block: 'inference.tps', path: 'inference.tps', value: i.tps }, { ...i.tps }, 'min <= avg <= max', 'min <= avg <= max', 'reorder the three values');
  }
  i.peakWindows.forEach((w, n) => {
    if (w.tps > i.tps.max) problem(`inference.peakWindows[${n}].tps`, w.tps, `at most inference.tps.max (${i.tps.max})`, `raise inference.tps.max to ${w.tps} or lower the peak`);
  });
  if (i.slo.p95Ms > i.slo.p99Ms) {
    ordered({ block: 'inference.slo', path: 'inference.slo.p95', value: `${i.slo.p95Ms}ms` }, { p95: `${i.slo.p95Ms}ms`, p99: `${i.slo.p99Ms}ms` },
      'p95 <= p99', `at most p99 (${i.slo.p99Ms}ms)`, 'swap p95 and p99');
  }
  if (i.schedule && i.mode === InferenceMode.ONLINE) {
    problem('inference.schedule', i.schedule, 'no scoring schedule with mode online (nothing is scored in batch)', 'remove inference.schedule, or set mode: batch or both');
  }
  if (i.serving === ServingFrontEnd.NONE && i.mode !== InferenceMode.BATCH) {
    problem('inference.serving', i.serving, `a front end ("service" or "api") for mode ${i.mode}`, 'remove serving to let the platform choose, or set mode: batch');
  }
  const peakWindows = i.peakWindows.map((w) => ({ ...w, startCron: peakStartToCron(w.startCron) }));
  hostingProblems(i, hostingDefaults(), problem);
  const serving = servingForHosting(i) ?? chooseServing(i.serving, { schedule: p.schedule, inference: { tps: i.tps, peakWindows, slo: i.slo } });
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

  // Async jobs: the workers call the real-time endpoint, within what one call of it may take.
  if (i.async && i.mode === InferenceMode.BATCH) {
    problem('inference.async', i.async, 'mode online or both with inference.async (the workers call the model\'s real-time endpoint)', 'set mode: both (precomputed answers stay) or online, or remove inference.async');
  }
  if (i.async && i.mode !== InferenceMode.BATCH && i.hosting === ModelHosting.FARGATE) {
    problem('inference.async', i.async, 'hosting sagemaker with inference.async (the async workers are Lambda functions outside the platform VPC that call the SageMaker endpoint; a Fargate model service is reachable only from its front end through an internal load balancer)',
      'set hosting: sagemaker, or remove inference.async and answer through :invoke');
  }
  if (i.async && i.hosting === ModelHosting.SAGEMAKER && i.async.timeoutSeconds > ASYNC_LIMITS.sageMakerInvokeSeconds) {
    problem('inference.async.timeout', `${i.async.timeoutSeconds}s`, `at most ${ASYNC_LIMITS.sageMakerInvokeSeconds}s with hosting sagemaker (one InvokeEndpoint call of a real-time endpoint)`, `lower timeout to ${ASYNC_LIMITS.sageMakerInvokeSeconds}s or less`);
  }
  // Composition (issue 12 §3): real-time only; this model's own steps take its declared latency.
  const composition = i.composition && {
    ...i.composition,
    steps: i.composition.steps.map((s) => (s.latencyMs === undefined && (s.model === name || (!s.model && !s.imageUri && !s.functionName))
      ? { ...s, latencyMs: i.modelLatencyMs } : s)),
  };
  // Batch scoring runs the model image alone: with mode both, precomputed answers would skip the composition.
  if (composition && i.mode !== InferenceMode.ONLINE) {
    problem('inference.composition', `${composition.kind} (${composition.steps.length} steps)`, `mode online (a composition answers each request in real time; with mode ${i.mode} batch scoring would run the model alone)`,
      'set inference.mode: online, or remove composition');
  }

  // The offline store of every feature group lives under feature-store/ of the same bucket.
  const location = normalizeLocation(p.data.location ?? `${name}/`);
  if (location.startsWith(OFFLINE_STORE_ROOT)) {
    problem(p.data.location === undefined ? 'name' : 'data.location', p.data.location ?? name,
      `a model whose data lies outside ${OFFLINE_STORE_ROOT} of the datasets bucket (that prefix holds the feature store's offline store; a model's data lies under <model name>/)`,
      'rename the model, e.g. "feature-store-model"');
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
      location,
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
      codeRevision: t.codeRevision,
    },
    evaluation: { ...e, direction: direction ?? MetricDirection.MINIMIZE },
    inference: {
      ...i,
      schedule: i.schedule ? { cron: i.schedule.cron, timeZone: i.schedule.timeZone ?? p.schedule.timeZone } : undefined,
      peakWindows,
      rpoSeconds: i.rpoSeconds ?? i.ttlSeconds,
      serving: serving.frontEnd,
      servingReason: serving.reason,
      serviceName: i.serviceName ?? name,
      ...(composition ? { composition } : {}),
    },
    acknowledgements: p.acknowledgements,
    ...(p.features ? { features: resolveFeatures(p.features, problem) } : {}),
  };
}

function normalizeLocation(location: string): string {
  return location.endsWith('/') ? location : `${location}/`;
}

function describeDurationS(s: number): string {
  return formatDuration(s * 1000);
}
