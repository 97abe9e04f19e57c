// The model spec, declared once. Validation, defaults and the shipped JSON Schema
// (schema/model-spec.schema.json) all come from this declaration; the resolved TypeScript types
// live in model-spec.ts and the compiler checks that every resolved property has a field here.
// Defaults are the reference scenario's: daily training, 3-day TTL/RPO, 100/300/1000 TPS,
// p95 300 ms / p99 500 ms, Spot training for cost.
import { mlopsCommand } from '../../cli/command-line';
import { maxIntervalMs, parseCron } from './cron';
import { parseDuration } from './units';
import { Field, ResolveContext, bool, choice, duration, list, num, obj, sizeGiB, stringMap, text } from './fields';
import { ValidationError } from '../../lambda/shared/registry/errors';
import { RULE_FIELDS, RULE_OPERATORS, validateRules } from '../../lambda/shared/predict/rules';
import { ASYNC_LIMITS } from '../../lambda/shared/predict/async-config';
import {
  AccessMode, AccessSpec, AsyncInferenceSpec, CheckAcknowledgement, ColumnSpec, ColumnType, DataFormat, DataSpec, EndpointSpec, EvaluationSpec, FargateHostingSpec, InferenceMode, IngestionSpec, InferenceSpec, MetricDirection, ModelHosting,
  PeakWindowSpec, PromotionMode, RuleSpec, RulesSpec, ScheduleSpec, ServingFrontEnd, SloSpec, TrafficSpec,
  TrainingEngine, TrainingSpec,
} from './model-spec';

import { compositionField } from './composition-fields';
import { ParsedFeatures, featuresField } from './feature-fields';
import { ingestionSourceField } from './ingestion-source-fields';

const RULE_LISTS = ['prefilter', 'override', 'fallback'] as const;

// The registry core's own name rules, so every spec name is a valid registry key (re-exported
// for code that read them from here).
export { CATEGORY_PATTERN, HYPERPARAMETER_NAME_PATTERN, METRIC_NAME_PATTERN, MODEL_NAME_PATTERN } from '../../lambda/shared/names-and-numbers';
import {
  CATEGORY_PATTERN, CATEGORY_RULE, HYPERPARAMETER_NAME_PATTERN, METRIC_NAME_PATTERN, MODEL_NAME_PATTERN, MODEL_NAME_RULE,
} from '../../lambda/shared/names-and-numbers';
const COLUMN_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$';
const TIME_OF_DAY = /^([01]?[0-9]|2[0-3]):([0-5][0-9])$/;

const values = <E extends Record<string, string>>(e: E) => Object.values(e) as Array<E[keyof E]>;

function cronCheck(v: string): string | undefined {
  const parsed = parseCron(v);
  return typeof parsed === 'string' ? `a five-field cron expression (${parsed})` : undefined;
}

function timeZoneCheck(v: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return undefined;
  } catch {
    return 'an IANA time zone name such as "UTC", "Europe/Paris" or "America/New_York"';
  }
}

/** Peaks repeat by weekday: a start restricted to days of the month or months cannot be scheduled. */
function peakStartCheck(v: string): string | undefined {
  const parsed = parseCron(peakStartToCron(v));
  if (typeof parsed === 'string') return 'a time of day such as "08:00" or a five-field cron';
  return parsed.domRestricted || parsed.months.length < 12 ? 'a start that repeats by weekday (day-of-month and month "*", e.g. "0 18 * * MON-FRI")' : undefined;
}

/** `08:00` (every day) or a five-field cron. */
export function peakStartToCron(v: string): string {
  const m = TIME_OF_DAY.exec(v.trim());
  return m ? `${Number(m[2])} ${Number(m[1])} * * *` : v;
}

export const scheduleField: Field<ScheduleSpec> = obj<ScheduleSpec>({
  cron: text({
    description: 'When training runs: a five-field cron expression (minute hour day-of-month month day-of-week) or @daily/@hourly/@weekly/@monthly.',
    default: '0 2 * * *', examples: ['0 2 * * *', '30 */6 * * *', '0 3 * * MON'], check: cronCheck,
    expected: 'a five-field cron expression', fix: 'write e.g. "0 2 * * *" (02:00 every day)',
  }),
  timeZone: text({
    description: 'IANA time zone the cron is read in.', default: 'UTC', examples: ['UTC', 'Europe/Paris'], check: timeZoneCheck,
    expected: 'an IANA time zone name', fix: 'write e.g. "UTC" or "Europe/Paris"',
  }),
  enabled: bool({ description: `Set false to pause scheduled training (the schedule is created disabled); \`${mlopsCommand('train', ['<model>'])}\` still works.`, default: true }),
}, { description: 'Training schedule. Default: every day at 02:00 UTC.' });

const columnField: Field<ColumnSpec> = obj<ColumnSpec>({
  name: text({ description: 'Column name as in the file header (csv) or the object key (jsonl).', required: true, pattern: COLUMN_NAME_PATTERN, expected: 'a column name (letters, digits, "_", "." or "-")', fix: 'rename the column' }),
  type: choice(values(ColumnType), { description: 'Value type, checked on a sample by data validation.', default: 'string' }),
  nullable: bool({ description: 'Whether empty values are allowed.', default: false }),
}, { description: 'One expected input column.', required: true });

// --- data.ingestion (scheduled ingestion, lib/data-ingestion) ---
const INGESTION_MIN_MS = 5 * 60_000;
// At most 6 days, so the missed-delivery alarm (cadence + grace) fits CloudWatch's 7-day evaluation range.
const INGESTION_MAX_MS = 6 * 86_400_000;

/** `every` as a cadence: a duration (5m to 7d) or a five-field cron whose gaps stay within 6 days. */
function ingestionCadence(v: string): { cron?: string; intervalMs: number } | string {
  const ms = parseDuration(v);
  if (ms !== undefined) {
    return ms < INGESTION_MIN_MS || ms > INGESTION_MAX_MS ? 'a duration from 5m to 6d' : { intervalMs: ms };
  }
  const cron = parseCron(v);
  if (typeof cron === 'string') return `a duration such as "6h" or a five-field cron (${cron})`;
  const gap = maxIntervalMs(cron);
  return gap === undefined || gap > INGESTION_MAX_MS ? 'a cron that fires at least every 6 days' : { cron: v, intervalMs: gap };
}

/** The ingestion block as parsed from YAML; the cadence is resolved afterwards. */
type ParsedIngestion = Omit<IngestionSpec, 'cron' | 'intervalSeconds'>;

const ingestionFields: Field<ParsedIngestion> = obj<ParsedIngestion>({
  every: text({
    description: 'How often data arrives: a duration ("6h", at least 5m, at most 6d) or a five-field cron. Each run ingests the window that just ended (MLOPS_INGEST_WINDOW_START/_END).',
    required: true, examples: ['6h', '0 */6 * * *'], placeholder: '1d',
    check: (v) => { const c = ingestionCadence(v); return typeof c === 'string' ? c : undefined; },
    expected: 'a duration or a five-field cron', fix: 'write e.g. "6h" or "0 */6 * * *"',
  }),
  timeZone: text({
    description: 'IANA time zone the cron, the window alignment and the dated keys (<YYYY-MM-DD>/<HHmm>) are read in.', default: 'UTC', examples: ['UTC', 'Europe/Paris'], check: timeZoneCheck,
    expected: 'an IANA time zone name', fix: 'write e.g. "UTC" or "Europe/Paris"',
  }),
  command: list(text({ description: 'One argument of the command.', maxLength: 1024 }), {
    description: 'Command run in the image with MLOPS_MODE=ingest; it only writes /opt/ml/output/data/<category>/ (csv or jsonl, as data.format) and the platform\'s staging wrapper uploads it (the image needs python3). Exactly one of command and source.',
    minItems: 1, maxItems: 50, examples: [['python3', '/opt/program/ingest.py']],
  }),
  image: text({
    description: 'Image URI of the ingestion job (run on arm64 Fargate). Default: the training image (run on x86_64 Fargate).',
    examples: ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand-ingest:1.0'], pattern: '^[a-z0-9][a-z0-9.-]*(:[0-9]+)?/[a-z0-9._/-]+([:@][A-Za-z0-9._:-]+)?$',
    expected: 'an image URI such as "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ingest:1.0"', fix: 'write the image URI, or remove it to use the training image',
  }),
  triggersTraining: bool({
    description: 'Start the training pipeline when a window\'s data has arrived (the Data Arrived event), once per window: the execution is named after the model and the window, so a repeated event starts nothing.',
    default: false,
  }),
  source: ingestionSourceField,
}, { description: 'Scheduled ingestion: a container job (MLOPS_MODE=ingest) or a built-in source (S3 prefix, HTTP(S) endpoint) on a cadence, each delivery validated with the schema checks and written to <location><category>/<YYYY-MM-DD>/<HHmm>-<window>.csv|jsonl. Default: none.' });

const ingestionField: Field<IngestionSpec | undefined> = {
  ...ingestionFields,
  default: undefined,
  schema: () => ({ ...ingestionFields.schema(), oneOf: [{ required: ['command'] }, { required: ['source'] }] }),
  parse(value, path, ctx) {
    const p = ingestionFields.parse(value, path, ctx);
    if (!p) return undefined;
    if (!jobOrSource(p, path, ctx)) return undefined;
    const c = ingestionCadence(p.every);
    if (typeof c === 'string') return undefined; // reported by the `every` field
    return { ...p, ...(c.cron ? { cron: c.cron } : {}), intervalSeconds: Math.round(c.intervalMs / 1000) };
  },
};
/** Exactly one of a job (`command`, optionally `image`) and a built-in `source`; the problem names the field to remove or add. */
function jobOrSource(p: ParsedIngestion, path: string, ctx: ResolveContext): boolean {
  const add = (at: string, value: unknown, expected: string, fix: string) => { ctx.problems.push({ file: ctx.file, path: `${path}.${at}`, value, expected, fix }); return false; };
  if (p.source && p.command) return add('command', p.command, 'no command when source is set (exactly one of command and source)', 'remove command to use the built-in source, or remove source to run the command');
  if (p.source && p.image) return add('image', p.image, 'no image when source is set (a source runs in a platform Lambda function)', 'remove image');
  if (!p.source && !p.command) return add('command', undefined, 'a value for "command" (the job), or a "source" (a built-in source)', 'add command: [python3, /opt/program/ingest.py], or source: { s3: { uri: s3://bucket/prefix/ } }');
  return true;
}
// --- end data.ingestion ---

/** Data as parsed from YAML; `location` defaults to `<model>/` and `external` is derived. */
export type ParsedData = Omit<DataSpec, 'external' | 'location'> & { readonly location?: string };

export const dataField: Field<ParsedData> = obj<ParsedData>({
  location: text({
    description: 'Prefix inside the platform datasets bucket: `<model name>/` (the platform\'s pipelines read no other prefix and no s3:// URI yet; synth refuses them with the fix). Objects are read from `<location><category>/<YYYY-MM-DD>/`; `mlops data put <model> <path> --category <category>` uploads there. Default: `<model name>/`.',
    examples: ['demand-forecast/'],
    check: (v) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?$/.test(v) || /^([A-Za-z0-9!_.*'()-]+\/?)+$/.test(v) && !v.startsWith('/') ? undefined
      : 'a key prefix such as "demand-forecast/" (no leading slash) or an S3 URI such as "s3://bucket/prefix/"',
    fix: 'write e.g. "demand-forecast/"',
  }),
  format: choice(values(DataFormat), { description: 'File format of the input objects.', default: 'csv' }),
  columns: list(columnField, {
    key: 'schema', description: 'Expected columns; data validation fails on a missing column or a wrong type. Default: not checked.',
    default: [], uniqueBy: (c) => c.name,
  }),
  minRows: num({ description: 'Fewer rows than this (per category and date) fail data validation.', default: 100, integer: true, min: 1 }),
  maxAgeSeconds: duration({ key: 'maxAge', unit: 's', description: 'Input data older than this fails data validation.', default: '1d', min: '1m', max: '365d' }),
  ingestion: ingestionField,
  dailySizeGiB: sizeGiB({ key: 'dailySize', description: 'New training data written a day, all categories together (rounded up to whole GiB). Only used by `mlops cost` to grow dataset storage.', default: '1GiB', min: 1, max: 1048576 }),
}, { description: 'Training data: location, format, schema and sanity limits.' });

/** Training as parsed from YAML; the image is split into URI or directory later. */
export type ParsedTraining = Omit<TrainingSpec, 'imageUri' | 'imageDirectory' | 'instanceType'> & { readonly image: string; readonly instanceType?: string };

export const trainingField: Field<ParsedTraining> = obj<ParsedTraining>({
  image: text({
    description: 'The training and scoring image: a folder with a Dockerfile, relative to the spec (starts with "." or "/"), or an image URI. Default: the spec\'s own folder.',
    default: '.', examples: ['.', './container', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1.4'],
    expected: 'a Dockerfile folder ("./container") or an image URI', fix: 'write "." when the Dockerfile is next to model.yaml',
  }),
  backend: choice(values(TrainingEngine), { description: 'Where training runs: SageMaker training jobs or AWS Batch (GPU compute environment).', default: 'sagemaker' }),
  instanceType: text({
    description: 'Instance type: an ml.* type for the sagemaker backend, an EC2 type without ml. for batch (e.g. g5.xlarge). Default: ml.m5.large (sagemaker) or g4dn.xlarge (batch).',
    examples: ['ml.m5.large', 'ml.g5.xlarge'], pattern: '^(ml\\.)?[a-z][a-z0-9-]*\\.[a-z0-9]+$',
    expected: 'an instance type such as "ml.m5.large" (sagemaker) or "g5.xlarge" (batch)', fix: 'write e.g. "ml.m5.large"',
  }),
  instanceCount: num({ description: 'Instances per training job.', default: 1, integer: true, min: 1, max: 20 }),
  spot: bool({ description: 'Train on Spot capacity (up to ~70% cheaper; interrupted jobs are retried).', default: true }),
  maxWaitSeconds: duration({ key: 'maxWait', unit: 's', description: 'Longest wait for Spot capacity plus runtime; at least maxRuntime.', default: '2h', min: '1m', max: '28d' }),
  maxRuntimeSeconds: duration({ key: 'maxRuntime', unit: 's', description: 'Longest one training attempt may run.', default: '1h', min: '1m', max: '28d' }),
  retries: num({ description: 'Attempts after the first when training fails (capacity, Spot interruption); at most 10 attempts in all.', default: 2, integer: true, min: 0, max: 9 }),
  volumeSizeGiB: sizeGiB({ key: 'volumeSize', description: 'Storage volume of each training instance.', default: '30GiB', min: 1, max: 16384 }),
  maxVcpus: num({ description: 'Cap on the vCPUs of the Batch compute environment (the cost ceiling); at least the 4 vCPUs of one training job. Default: 16.', integer: true, min: 4, max: 10000 }),
  command: list(text({ description: 'One argument of the command.', maxLength: 1024 }), {
    description: 'Training command for backend batch (e.g. ["python3", "/opt/program/train.py"]), run after inputs are staged; AWS Batch cannot wrap the image ENTRYPOINT. Not used with sagemaker.',
    default: [], maxItems: 50,
  }),
  hyperparameters: stringMap({
    description: `Passed to the container in /opt/ml/input/config/hyperparameters.json (as strings). \`${mlopsCommand('train', ['<model>'], { set: 'k=v' })}\` overrides one for a run.`,
    default: {}, keyPattern: HYPERPARAMETER_NAME_PATTERN, examples: [{ window: 7, learning_rate: 0.1 }],
  }),
  maxConcurrency: num({ description: 'Categories trained at once (each validates its data, trains and is evaluated in its own branch).', default: 4, integer: true, min: 1, max: 40 }),
  toleratedFailures: num({
    description: 'Percentage of categories that may fail (late or bad data, training) while the day\'s execution still succeeds; failures are notified either way, and every category is scored.',
    default: 0, min: 0, max: 100, examples: [25],
  }),
  codeRevision: text({
    description: 'Revision of the training code (e.g. a git commit), recorded on every version for lineage. Default: the synth\'s `-c mlops:codeRevision=...` context, else its MLOPS_CODE_REVISION environment variable (e.g. set by CI to the commit), else not recorded.',
    maxLength: 256, examples: ['3f2a9c1', 'v1.4.0'],
  }),
}, { description: 'Training container, compute, hyperparameters and how many categories run at once.' });

/** Evaluation as parsed from YAML; the direction may be inferred from well-known metric names. */
export type ParsedEvaluation = Omit<EvaluationSpec, 'direction'> & { readonly direction?: MetricDirection };

export const evaluationField: Field<ParsedEvaluation> = obj<ParsedEvaluation>({
  metric: text({
    description: 'Metric (a key of the run\'s metrics.json) that decides which version is better.', required: true,
    pattern: METRIC_NAME_PATTERN, examples: ['rmse', 'auc'], placeholder: 'rmse', expected: 'a metric name (letters, digits, "_", ".", ":", "/" or "-")', fix: 'write the key your training code writes to metrics.json',
  }),
  direction: choice(values(MetricDirection), { description: 'Whether larger or smaller is better. Default: inferred for well-known metrics (rmse, mae, loss: minimize; auc, accuracy, f1: maximize).' }),
  minImprovement: num({ description: 'The challenger must beat the champion by at least this much (absolute, in metric units).', default: 0, min: 0 }),
  threshold: num({ description: 'A version worse than this is never promoted. Default: no threshold.' }),
  promotion: choice(values(PromotionMode), { description: `auto: promote a better version; manual: wait for \`${mlopsCommand('approve', ['<model>', '<version>'])}\`; none: register only.`, default: 'auto' }),
  approvalTimeoutSeconds: duration({ key: 'approvalTimeout', unit: 's', description: 'How long a manual approval may wait (the RTO budget).', default: '3d', min: '1m', max: '364d' }),
}, { description: 'Champion/challenger evaluation and promotion policy.', required: true, placeholder: { metric: 'rmse' } });

/**
 * The rule lists, validated by the prediction core itself (one rule at a time, so every bad rule
 * is reported) and described in the schema from the core's facts and operators.
 */
const rulesField: Field<RulesSpec> = {
  required: false,
  description: 'Declarative answer rules (prediction core format): prefilter (before the lookup), override (replace the model answer), fallback (no valid prediction).',
  default: {},
  schema: () => {
    const condition = {
      type: 'object', minProperties: 1, additionalProperties: false,
      properties: Object.fromEntries(RULE_OPERATORS.map((op) => [op, { description: `Operator "${op}".` }])),
    };
    const rule = (facts: readonly string[]) => ({
      type: 'object', required: ['name', 'prediction'], additionalProperties: false,
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$', description: 'Rule name, reported as `rule` in the answer.' },
        when: { type: 'object', additionalProperties: false, properties: Object.fromEntries(facts.map((f) => [f, condition])), description: 'Fact to condition; all must hold. Omitted = always.' },
        prediction: { description: 'The answer (any JSON value, null included).' },
      },
    });
    const beforeLookup = RULE_FIELDS.filter((f) => f !== 'prediction');
    return {
      description: rulesField.description, type: 'object', additionalProperties: false,
      properties: {
        prefilter: { type: 'array', items: rule(beforeLookup), description: 'Checked before the lookup; a match answers at once.' },
        override: { type: 'array', items: rule(RULE_FIELDS), description: 'Checked against the model answer; a match replaces it.' },
        fallback: { type: 'array', items: rule(beforeLookup), description: 'Checked when there is no valid prediction; first match wins.' },
      },
    };
  },
  parse(value, path, ctx) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.problems.push({ file: ctx.file, path, value, expected: 'a map with optional prefilter, override and fallback lists', fix: 'write e.g. "fallback: [{ name: typical-value, prediction: 0 }]" under rules' });
      return undefined;
    }
    const raw = value as Record<string, unknown>;
    let ok = true;
    const out: Record<string, RuleSpec[]> = {};
    for (const k of Object.keys(raw)) {
      if (!(RULE_LISTS as readonly string[]).includes(k)) {
        ctx.problems.push({ file: ctx.file, path: `${path}.${k}`, value: raw[k], expected: `one of the rule lists ${RULE_LISTS.join(', ')}`, fix: k === 'overrides' ? 'did you mean "override"?' : 'remove it' });
        ok = false;
      }
    }
    for (const list of RULE_LISTS) {
      const rules = raw[list] ?? [];
      if (!Array.isArray(rules)) {
        ctx.problems.push({ file: ctx.file, path: `${path}.${list}`, value: rules, expected: 'a list of rules', fix: 'write each rule as a "- name: ..." item' });
        ok = false;
        out[list] = [];
        continue;
      }
      const names = new Set<string>();
      out[list] = [];
      rules.forEach((rule, i) => {
        const at = `${path}.${list}[${i}]`;
        try {
          const checked = validateRules({ [list]: [rule] }, path)[list][0];
          if (names.has(checked.name)) throw new ValidationError(`${at}.name`, checked.name, 'give every rule of a list a unique name');
          names.add(checked.name);
          out[list].push(checked as RuleSpec);
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          ctx.problems.push({ file: ctx.file, path: e.field.replace(`${path}.${list}[0]`, at), value: e.value, expected: `a valid ${list} rule`, fix: e.fix });
          ok = false;
        }
      });
    }
    return ok || ctx.lenient ? out as unknown as RulesSpec : undefined;
  },
};

const trafficField: Field<TrafficSpec> = obj<TrafficSpec>({
  min: num({ description: 'Lowest expected requests per second.', default: 100, min: 0 }),
  avg: num({ description: 'Average requests per second.', default: 300, min: 0 }),
  max: num({ description: 'Highest requests per second (peaks).', default: 1000, min: 0 }),
}, { description: 'Expected traffic (requests per second). Drives the serving choice and autoscaling.' });

const peakField: Field<PeakWindowSpec> = obj<PeakWindowSpec>({
  startCron: text({
    key: 'start', description: 'Start of the window: a time of day ("08:00", every day) or a five-field cron.', required: true,
    examples: ['08:00', '0 18 * * MON-FRI'], check: peakStartCheck,
    expected: 'a time of day or a five-field cron', fix: 'write e.g. "08:00"',
  }),
  durationSeconds: duration({ key: 'duration', unit: 's', description: 'How long the window lasts.', required: true, min: '1m', max: '1d' }),
  tps: num({ description: 'Requests per second expected during the window.', required: true, min: 0 }),
}, { description: 'A known busy period: capacity is scaled out ahead of it.', required: true });

const sloField: Field<SloSpec> = obj<SloSpec>({
  p95Ms: duration({ key: 'p95', unit: 'ms', description: '95th percentile latency objective of online answers.', default: '300ms', min: '1ms', max: '60s' }),
  p99Ms: duration({ key: 'p99', unit: 'ms', description: '99th percentile latency objective of online answers.', default: '500ms', min: '1ms', max: '60s' }),
}, { description: 'Latency objectives; alarms are derived from them.' });

// How clients reach a service endpoint (issue 20): the cross-field rules are in load-model-spec.ts.
const accessField: Field<AccessSpec> = obj<AccessSpec>({
  mode: choice(values(AccessMode), { description: 'vpc: internal, clients in the platform VPC or the networks below; private-link: an endpoint service for other accounts; internet: HTTPS with client certificates (mutual TLS).', default: 'vpc' }),
  clientCidrs: list(text({
    description: 'An IPv4 CIDR of a client network routed to the platform VPC.', pattern: '^(\\d{1,3}\\.){3}\\d{1,3}/(\\d|[12]\\d|3[0-2])$',
    examples: ['10.20.0.0/16'], expected: 'an IPv4 CIDR such as "10.20.0.0/16"', fix: 'write the client network as a.b.c.d/n',
  }), { description: 'Client networks besides the platform VPC (mode vpc).', default: [] }),
  clientPrefixLists: list(text({
    description: 'A managed prefix list id.', pattern: '^pl-[0-9a-f]{8,17}$', examples: ['pl-0123456789abcdef0'], expected: 'a prefix list id such as "pl-0123456789abcdef0"', fix: 'copy the id from the VPC console (Managed prefix lists)',
  }), { description: 'Client networks as managed prefix lists (mode vpc).', default: [] }),
  allowedPrincipals: list(text({
    description: 'An IAM principal ARN allowed to connect.', pattern: '^arn:aws[a-z-]*:iam::\\d{12}:(root|role/.+|user/.+)$',
    expected: 'an IAM principal ARN such as "arn:aws:iam::111122223333:root"', fix: 'write the client account as arn:aws:iam::<account>:root',
  }), { description: 'Accounts or roles that may connect an interface endpoint to the service (mode private-link).', default: [] }),
  certificateArn: text({
    key: 'certificate', description: 'ACM certificate ARN of the HTTPS listener (mode internet; optional otherwise).', pattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[A-Za-z0-9-]+$',
    expected: 'an ACM certificate ARN', fix: 'copy the ARN of an issued certificate for the endpoint\'s domain from ACM',
  }),
  trustStoreArn: text({
    key: 'trustStore', description: 'ELB trust store ARN with the CA bundle of client certificates (mode internet).', pattern: '^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\\d{12}:truststore/.+$',
    expected: 'an ELB trust store ARN', fix: 'create a trust store from the client CA bundle (aws elbv2 create-trust-store) and copy its ARN',
  }),
}, { description: 'How clients reach the endpoint of a service front end (see the README, "Reaching a prediction endpoint").' });

// Real-time hosting (mode online/both): where the model's serve mode runs and its capacity.
const endpointFields: Field<EndpointSpec> = obj<EndpointSpec>({
  instanceType: text({
    description: 'SageMaker hosting instance type; GPU types (ml.g5.xlarge ...) are allowed.', default: 'ml.c5.large',
    examples: ['ml.c5.large', 'ml.g5.xlarge'], pattern: '^ml\\.[a-z][a-z0-9-]*\\.[a-z0-9]+$', expected: 'a hosting instance type such as "ml.c5.large"', fix: 'write e.g. "ml.c5.large"',
  }),
  instanceCount: num({ description: 'Instances outside peak windows; 2 spread over two Availability Zones.', default: 2, integer: true, min: 1, max: 100 }),
  maxInstanceCount: num({ description: 'Most instances autoscaling may run; also the count during peak windows. At least instanceCount.', default: 4, integer: true, min: 1, max: 100 }),
  tpsPerInstance: num({ description: 'Requests per second one instance answers within the SLO; autoscaling tracks invocations per instance at this rate.', default: 100, min: 1 }),
  dataCapturePercent: num({ description: 'Share of requests and responses captured, KMS-encrypted, into the artifacts bucket (data-capture/<model>/).', default: 0, integer: true, min: 0, max: 100 }),
}, { description: 'Capacity of the real-time model endpoint (mode online/both).' });

const endpointField: Field<EndpointSpec> = {
  ...endpointFields,
  parse(value, path, ctx) {
    const e = endpointFields.parse(value, path, ctx);
    if (e && e.maxInstanceCount < e.instanceCount) {
      ctx.problems.push({ file: ctx.file, path: `${path}.maxInstanceCount`, value: e.maxInstanceCount, expected: `at least instanceCount (${e.instanceCount})`, fix: `raise maxInstanceCount to ${e.instanceCount} or more, or lower instanceCount` });
      return undefined;
    }
    return e;
  },
};

// Fargate hosting (hosting: fargate): CPU-only tasks of the model's own image, scaled like the
// prediction service. Cross-field rules (command required, no SageMaker settings) are in load-model-spec.ts.
const fargateField: Field<FargateHostingSpec> = obj<FargateHostingSpec>({
  cpu: num({ description: 'CPU units of a task (1024 = 1 vCPU): 256, 512, 1024, 2048, 4096, 8192 or 16384. Fargate has no GPUs.', default: 1024, integer: true, min: 256, max: 16384 }),
  memoryMiB: num({ description: 'Memory of a task in MiB, within Fargate\'s range for cpu (e.g. 2048-8192 for 1024).', default: 2048, integer: true, min: 512, max: 122880 }),
  taskCount: num({ key: 'tasks', description: 'Tasks outside peak windows; 2 spread over two Availability Zones.', default: 2, integer: true, min: 1, max: 100 }),
  maxTaskCount: num({ key: 'maxTasks', description: 'Most tasks autoscaling may run; also the count during peak windows. At least tasks.', default: 4, integer: true, min: 1, max: 100 }),
  tpsPerTask: num({ description: 'Requests per second one task answers within the SLO; autoscaling tracks request count per task at this rate.', default: 100, min: 1 }),
  command: list(text({ description: 'One argument of the command.', maxLength: 1024 }), {
    description: 'The image\'s serve command, run with MLOPS_MODE=serve once the served version\'s model.tar.gz is unpacked into /opt/ml/model (required with hosting fargate).',
    default: [], maxItems: 50, examples: [['python3', '/opt/program/serve.py']],
  }),
}, { description: 'Size and serve command of the Fargate model service (hosting: fargate).' });

/** The endpoint and Fargate blocks as their defaults resolve (the hosting rules compare against them). */
export function hostingDefaults(): { endpoint: EndpointSpec; fargate: FargateHostingSpec } {
  const ctx = { file: '', dir: '', problems: [] };
  return { endpoint: endpointField.parse({}, '', ctx)!, fargate: fargateField.parse({}, '', ctx)! };
}

// Asynchronous jobs (issue 12): the limits follow the transport (async-config.ts ASYNC_LIMITS);
// the cross-field rules (mode, hosting) are in load-model-spec.ts.
const asyncField: Field<AsyncInferenceSpec | undefined> = {
  ...obj<AsyncInferenceSpec>({
    timeoutSeconds: duration({ key: 'timeout', unit: 's', description: 'Most time one model call of a job may take. At most 60s with hosting sagemaker (InvokeEndpoint\'s limit).', default: '60s', min: '1s', max: '14m' }),
    maxPayloadBytes: num({ description: 'Largest :submit body in bytes (the front ends read at most 65536).', default: ASYNC_LIMITS.maxPayloadBytes, integer: true, min: 1, max: ASYNC_LIMITS.maxPayloadBytes }),
    resultRetentionSeconds: duration({ key: 'resultRetention', unit: 's', description: 'How long a job and its result are kept after submission (job TTL; results bucket lifecycle, rounded up to days). At least pollWindow.', default: '1d', min: '1h', max: '30d' }),
    pollWindowSeconds: duration({ key: 'pollWindow', unit: 's', description: 'How long clients keep polling for a result after submitting; also the oldest a queued job may get before the alarm.', default: '1h', min: '1m', max: '30d' }),
    maxAttempts: num({ description: 'Deliveries of a job (model calls that fail or time out) before it fails and its message moves to the dead-letter queue.', default: 3, integer: true, min: 1, max: 10 }),
    maxConcurrency: num({ description: 'Most jobs answered at once (Lambda workers); keep it within what the endpoint answers.', default: 10, integer: true, min: 2, max: 1000 }),
  }, { description: 'Long inferences as jobs: POST /v1/models/{model}/predictions:submit answers 202 {jobId}, GET /v1/models/{model}/jobs/{jobId} the result. Needs mode online or both (the workers call the real-time endpoint). Default: no jobs.' }),
  default: undefined,
};

/** The scoring schedule as parsed from YAML; the time zone defaults to the training schedule's. */
export interface ParsedInferenceSchedule {
  readonly cron: string;
  readonly timeZone?: string;
}

const inferenceScheduleField: Field<ParsedInferenceSchedule | undefined> = {
  ...obj<ParsedInferenceSchedule>({
    cron: text({
      description: 'When batch scoring runs: a five-field cron expression (minute hour day-of-month month day-of-week) or @daily/@hourly/@weekly/@monthly.',
      required: true, examples: ['0 6 * * *', '0 6 * * MON-FRI'], check: cronCheck,
      expected: 'a five-field cron expression', fix: 'write e.g. "0 6 * * *" (06:00 every day)',
    }),
    timeZone: text({
      description: 'IANA time zone the cron is read in. Default: the training schedule\'s (schedule.timeZone).', examples: ['UTC', 'Europe/Paris'], check: timeZoneCheck,
      expected: 'an IANA time zone name', fix: 'write e.g. "UTC" or "Europe/Paris"',
    }),
  }, {
    description: 'Score every category with its served (production) version on this schedule, independent of training: train weekly, score daily. '
      + 'The TTL is then checked against this interval. Default: scoring runs at the end of each training run only.',
  }),
  default: undefined,
};

/** Inference as parsed from YAML; serving, service name, RPO and the scoring time zone are resolved afterwards. */
export type ParsedInference = Omit<InferenceSpec, 'serving' | 'servingReason' | 'serviceName' | 'rpoSeconds' | 'schedule'> & {
  readonly serving?: ServingFrontEnd;
  readonly serviceName?: string;
  readonly rpoSeconds?: number;
  readonly schedule?: ParsedInferenceSchedule;
};

export const inferenceField: Field<ParsedInference> = obj<ParsedInference>({
  mode: choice(values(InferenceMode), { description: 'batch: precomputed after training; online: the model container answers each request; both.', default: 'batch' }),
  ttlSeconds: duration({ key: 'ttl', unit: 's', description: 'How long batch predictions live; must outlast the gap to the next batch (the scoring interval, or the training interval without inference.schedule) plus how late that batch may be.', default: '3d', min: '1h', max: '90d' }),
  schedule: inferenceScheduleField,
  rpoSeconds: duration({ key: 'rpo', unit: 's', description: 'Recovery point objective: the oldest a served prediction may be. Default: the TTL.', min: '1h', max: '365d' }),
  serving: choice(values(ServingFrontEnd), { description: 'Front end: service (ALB + Fargate), api (HTTP API + Lambda) or none. Default: chosen from the expected traffic.' }),
  serviceName: text({ description: 'Name of the serving service; two models never share one. Default: the model name.', pattern: MODEL_NAME_PATTERN, expected: 'a name of lowercase letters, digits and hyphens', fix: 'remove it to use the model name' }),
  tps: trafficField,
  peakWindows: list(peakField, { description: 'Known busy periods.', default: [] }),
  slo: sloField,
  modelLatencyMs: duration({ key: 'modelLatency', unit: 'ms', description: 'Declared time the model takes for one prediction (online/both), checked against the SLO.', default: '50ms', min: '0ms', max: '15m' }),
  rules: rulesField,
  hosting: choice(values(ModelHosting), { description: 'Where the model answers real-time requests (mode online/both): sagemaker, a SageMaker real-time endpoint (GPU allowed); fargate, the image as a CPU-only ECS Fargate service in the platform VPC.', default: 'sagemaker' }),
  endpoint: endpointField,
  access: accessField,
  fargate: fargateField,
  async: asyncField,
  composition: compositionField,
}, { description: 'How predictions are produced, kept and served.' });

/** The shortest acknowledgement reason: the loader and the schema (minLength) read this one value. */
export const ACKNOWLEDGEMENT_REASON_MIN_LENGTH = 20;

const acknowledgementField: Field<CheckAcknowledgement> = obj<CheckAcknowledgement>({
  id: text({ description: 'Pattern check id, as the finding prints it, e.g. MLOPS-ServingHasFallback.', required: true, pattern: '^MLOPS-[A-Za-z]+$', examples: ['MLOPS-ServingHasFallback'], expected: 'a check id such as "MLOPS-ServingHasFallback"', fix: 'copy the id from the finding' }),
  reason: text({ description: `Why the finding is acceptable for this model (at least ${ACKNOWLEDGEMENT_REASON_MIN_LENGTH} characters).`, required: true, minLength: ACKNOWLEDGEMENT_REASON_MIN_LENGTH, expected: 'a reason', fix: 'explain why the risk is accepted' }),
}, { description: 'An accepted finding.', required: true });

/** The whole spec as parsed from YAML, before cross-field resolution. */
export interface ParsedSpec {
  readonly name?: string;
  readonly description: string;
  readonly owner: string;
  readonly schedule: ScheduleSpec;
  readonly categories: string[];
  readonly data: ParsedData;
  readonly training: ParsedTraining;
  readonly evaluation: ParsedEvaluation;
  readonly inference: ParsedInference;
  readonly acknowledgements: CheckAcknowledgement[];
  readonly features?: ParsedFeatures;
}

/** The model spec declaration: the single source of truth. */
export const specField: Field<ParsedSpec> = obj<ParsedSpec>({
  name: text({ description: 'Model name (the registry key). Default: the spec\'s folder name.', pattern: MODEL_NAME_PATTERN, examples: ['demand-forecast'], expected: MODEL_NAME_RULE, fix: 'write e.g. "demand-forecast"' }),
  description: text({ description: 'What the model predicts, for people.', required: true, placeholder: '-', maxLength: 1024, examples: ['Daily unit demand per store and category'] }),
  owner: text({ description: 'Who answers for the model (team or e-mail); receives its notifications.', required: true, placeholder: '-', maxLength: 256, examples: ['ds-team@example.com'] }),
  schedule: scheduleField,
  categories: list(text({ description: 'A category.', pattern: CATEGORY_PATTERN, expected: CATEGORY_RULE, fix: 'rename the category' }), {
    description: 'One model per category, trained in parallel; alarms combine at most 10. Default: a single "default" category.', default: ['default'], minItems: 1, maxItems: 10, uniqueBy: (c) => c,
  }),
  data: dataField,
  training: trainingField,
  evaluation: evaluationField,
  inference: inferenceField,
  acknowledgements: list(acknowledgementField, { key: 'acknowledge', description: 'Pattern-check findings accepted for this model, each with a reason.', default: [], uniqueBy: (a) => a.id }),
  features: featuresField,
}, { title: 'cdk-mlops model spec', description: 'One model of the cdk-mlops platform (models/<name>/model.yaml).', required: true, extraKeys: ['$schema'] });
