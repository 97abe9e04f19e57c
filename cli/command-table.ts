// What each `mlops` command accepts: names, positionals and flags. The parser, the help text and
// every command line the platform prints (e-mails, alarm runbooks, error fixes) come from this
// one table, so a printed hint cannot name a flag the CLI refuses. Kept free of AWS clients: the
// Lambda handlers that write e-mails import it.
import { RUN_STATUSES } from '../lambda/shared/registry/types';
import { REGION_PRICES } from '../lib/cost/prices';
import { FlagSpec } from './args';
import { CLI_ENV } from './env';
import { MODELS_DIR_ENV } from '../lib/spec/models-dir';

/** The declaration of one `mlops` sub-command (its behaviour lives in cli/commands/). */
export interface CommandSpec {
  readonly name: string;
  /** Positionals and options, e.g. `<model> [--category <name>]`. */
  readonly usage: string;
  readonly summary: string;
  readonly flags: Record<string, FlagSpec>;
  /** Names of the positionals, required first; `optional` counts the trailing optional ones. */
  readonly positionals: readonly string[];
  readonly optional?: number;
  /** The last positional may repeat (`<run> <run> ...`). @default false */
  readonly variadic?: boolean;
}

const category: FlagSpec = { type: 'string', value: '<category>', description: 'Only this category (default: every category of the model).' };
/** For commands that act on one category: the model's only one needs no flag. */
const oneCategory: FlagSpec = { type: 'string', value: '<category>', description: 'The category to act on (needed when the model has several categories).' };
const reason: FlagSpec = { type: 'string', value: '"<why>"', description: 'Why, for the audit trail.' };
const requiredReason: FlagSpec = { ...reason, required: true };
const modelsDir: FlagSpec = { type: 'string', value: '<dir>', description: `Folder holding <model>/model.yaml (default: $${MODELS_DIR_ENV} or ./models).` };
const limit = (what: string): FlagSpec => ({ type: 'string', value: '<n>', description: `At most this many ${what} (default 20).` });

/** Flags every command takes. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  'json': { type: 'boolean', description: 'Print JSON for scripts instead of tables.' },
  'platform': { type: 'string', value: '<name>', description: `Platform to use (default: $${CLI_ENV.platform} or "default").` },
  'registry-table': { type: 'string', value: '<table>', description: `Registry table, instead of the platform's SSM parameter (or $${CLI_ENV.registryTable}).` },
  'actor': { type: 'string', value: '<name>', description: `Who is acting, for the audit trail (default: $${CLI_ENV.actor} or cli:<user>).` },
  'local': { type: 'boolean', description: 'Use the platform of mlops local up (its emulators and tables) instead of AWS.' },
  'help': { type: 'boolean', description: 'Show help.' },
};

/** Every command, in the order `mlops --help` lists them. */
export const COMMAND_TABLE = {
  models: {
    name: 'models', usage: '', summary: 'List the models, their categories and production versions.', flags: {}, positionals: [],
  },
  versions: {
    name: 'versions', usage: '<model> [--category <category>] [--limit <n>]',
    summary: 'List versions newest first, with status, metrics and the production marker.',
    flags: { category, limit: { ...limit('versions'), description: 'Versions per category (default 20).' } }, positionals: ['model'],
  },
  runs: {
    name: 'runs', usage: '<model> [--since 3d|<date>] [--status RUNNING|SUCCEEDED|FAILED|STOPPED] [--category <category>] [--limit <n>]',
    summary: 'List training runs newest first, with status, duration, metrics and the version they registered.',
    flags: {
      since: { type: 'string', value: '3d|<date>', description: 'Runs started in the last duration (3d, 12h) or since a date or UTC time ("2026-11-20 02:00").' },
      status: { type: 'string', value: '<status>', description: `One of ${RUN_STATUSES.join(', ')}.` },
      category,
      limit: limit('runs'),
    },
    positionals: ['model'],
  },
  best: {
    name: 'best', usage: '<model> [--metric <name>] [--direction maximize|minimize] [--category <category>]',
    summary: 'Show the best version per category (rejected versions are skipped).',
    flags: {
      metric: { type: 'string', value: '<name>', description: 'Metric to rank by (default: evaluation.metric of models/<model>/model.yaml).' },
      direction: { type: 'string', value: 'maximize|minimize', description: 'Default: the spec\'s, or known for rmse, mae, auc, accuracy, ...' },
      category,
    },
    positionals: ['model'],
  },
  compare: {
    name: 'compare', usage: '<model> <v1> <v2> [--category <category>] | --runs <run> <run> [<run> ...]',
    summary: 'Compare two versions (metrics with the difference, hyperparameters, data, lineage), or 2-5 runs (params diff, final metrics, data and image).',
    flags: {
      category: oneCategory,
      runs: { type: 'boolean', description: 'Compare runs instead of versions: every argument is a run id (2 to 5, from `mlops runs <model>`).' },
    },
    positionals: ['model', 'v1', 'v2'], optional: 1, variadic: true,
  },
  tag: {
    name: 'tag', usage: '<model> --run <run> <name>=<value> [<name>=<value> ...]',
    summary: 'Label a run (name=value; name= removes the label); `mlops runs <model> --json` shows the labels.',
    flags: { run: { type: 'string', value: '<run>', description: 'The run to label (from `mlops runs <model>`).', required: true } },
    positionals: ['model', 'tag'], variadic: true,
  },
  note: {
    name: 'note', usage: '<model> --run <run> "<text>"',
    summary: 'Add a note to a run ("why this run"), kept with who wrote it and when.',
    flags: { run: { type: 'string', value: '<run>', description: 'The run to note (from `mlops runs <model>`).', required: true } },
    positionals: ['model', 'text'],
  },
  artifacts: {
    name: 'artifacts', usage: '<model> --run <run> [--download <dir>]',
    summary: 'List what a run produced (model, metrics, metric series, baseline, output) with sizes, or download it.',
    flags: {
      run: { type: 'string', value: '<run>', description: 'The run (from `mlops runs <model>`).', required: true },
      download: { type: 'string', value: '<dir>', description: 'Download every artifact into <dir>/<artifact>/ (existing files are replaced).' },
    },
    positionals: ['model'],
  },
  promote: {
    name: 'promote', usage: '<model> <version> [--category <category>] --reason "<why>" [--wait]',
    summary: 'Serve a version in production: served once its predictions are loaded, with no redeploy (--wait follows it).',
    flags: {
      category: oneCategory, reason: requiredReason,
      'wait': { type: 'boolean', description: 'Follow the scoring until the version is served; exit 0 only then.' },
      'timeout': { type: 'string', value: '<duration-in-seconds>', description: 'Give up waiting after this many seconds (default 14400).' },
      'poll-interval': { type: 'string', value: '<duration-in-seconds>', description: 'Seconds between progress polls with --wait (default 15).' },
    },
    positionals: ['model', 'version'],
  },
  rollback: {
    name: 'rollback', usage: '<model> [--category <category>] [--reason "<why>"]',
    summary: 'Serve the previous production version again.',
    flags: { category: oneCategory, reason }, positionals: ['model'],
  },
  history: {
    name: 'history', usage: '<model> [--category <category>]',
    summary: 'Show promotions, rollbacks and version status changes (approved, rejected), newest first: who, when, from, to and why.',
    flags: { category }, positionals: ['model'],
  },
  status: {
    name: 'status', usage: '<model> [--category <category>]',
    summary: 'Show the desired and the served version per category, and scoring in progress or failed.',
    flags: { category }, positionals: ['model'],
  },
  score: {
    name: 'score', usage: '<model> [--version <n>] [--category <category>] [--date YYYY-MM-DD]',
    summary: 'Score now: the desired versions, or one version of one category (served once loaded if it is desired).',
    flags: {
      version: { type: 'string', value: '<n>', description: 'Score this version (needs one category; default: each category\'s desired version).' },
      category,
      date: { type: 'string', value: 'YYYY-MM-DD', description: 'Execution date of the input data to score (default: today).' },
    },
    positionals: ['model'],
  },
  train: {
    name: 'train', usage: '<model> [--set key=value]... [--category <category>]... [--date YYYY-MM-DD] [--experiment] [--watch]',
    summary: 'Start the training pipeline now (other hyperparameters with --set; --watch follows it live).',
    flags: {
      'set': { type: 'list', value: 'key=value', description: 'Override a hyperparameter for this run (repeatable).' },
      'category': { type: 'list', value: '<category>', description: 'Train only this category (repeatable; default: all of the spec).' },
      'date': { type: 'string', value: 'YYYY-MM-DD', description: 'Execution date of the data to train on (default: today).' },
      'experiment': { type: 'boolean', description: 'Record the run as an experiment: registered, never promoted.' },
      'watch': { type: 'boolean', description: 'Follow the execution until it ends; exit 0 only if it succeeded.' },
      'poll-interval': { type: 'string', value: '<duration-in-seconds>', description: 'Seconds between progress polls with --watch (default 5).' },
    },
    positionals: ['model'],
  },
  approve: {
    name: 'approve', usage: '<model> <version> [--category <category>] [--reason "<why>"]',
    summary: 'Approve a version (the waiting pipeline promotes it; with none waiting, the CLI promotes it).',
    flags: { category: oneCategory, reason }, positionals: ['model', 'version'],
  },
  reject: {
    name: 'reject', usage: '<model> <version> [--category <category>] --reason "<why>"',
    summary: 'Reject a version: it is never promoted and `best` skips it.',
    flags: { category: oneCategory, reason: requiredReason }, positionals: ['model', 'version'],
  },
  cost: {
    name: 'cost', usage: '[--model <name>] [--region <region>] [--month <n>]',
    summary: 'Estimate the monthly AWS bill of the platform from the model specs (no AWS access).',
    flags: {
      model: { type: 'string', value: '<name>', description: 'Only this model (with the shared network, keys and alarms it needs alone).' },
      region: { type: 'string', value: '<region>', description: `List prices of this region: ${Object.keys(REGION_PRICES).join(', ')} (default: us-east-1).` },
      month: { type: 'string', value: '<n>', description: 'Month of operation (storage grows each month; default: 12).' },
    },
    positionals: [],
  },
  logs: {
    name: 'logs', usage: '<model> --run <run-id> [--category <category>] [--lines <n>]',
    summary: 'Print the tail of a run\'s training job log (CloudWatch Logs), running or ended.',
    flags: {
      run: { type: 'string', value: '<run-id>', description: 'The run id (as mlops runs lists it), or an execution name or ARN with --category.', required: true },
      category: { type: 'string', value: '<category>', description: 'The category\'s run, when --run names an execution.' },
      lines: { type: 'string', value: '<n>', description: 'Lines to print, the newest last (default 50, at most 10000).' },
    },
    positionals: ['model'],
  },
  stop: {
    name: 'stop', usage: '<model> --run <run-id> [--reason "<why>"]',
    summary: 'Stop a running training execution and its jobs (every category of that execution).',
    flags: {
      run: { type: 'string', value: '<run-id>', description: 'A run id of the execution (as mlops runs lists it), or the execution name or ARN.', required: true },
      reason,
    },
    positionals: ['model'],
  },
  validate: {
    name: 'validate', usage: '[<model>] [--data <file|dir>] [--models-dir <dir>]',
    summary: 'Check the model specs in one pass, in about a second: fields, what the platform would refuse to build, pattern checks and acknowledgements (no AWS access, no synth). With --data, run the model\'s data checks on local files instead.',
    flags: {
      'data': { type: 'string', value: '<file|dir>', description: 'Run the data checks of <model>\'s spec (format, schema, minRows) on this local file or folder, every row type-checked, before uploading it.' },
      'models-dir': modelsDir,
    },
    positionals: ['model'], optional: 1,
  },
  new: {
    name: 'new', usage: '<name> [--models-dir <dir>]',
    summary: 'Create models/<name>/: a spec with the reference defaults written out, a standard-library Python model (train, score, data generator), a Dockerfile and a README; it passes mlops validate.',
    flags: {
      'models-dir': { type: 'string', value: '<dir>', description: `Folder to create <name>/ in (default: $${MODELS_DIR_ENV} or ./models).` },
    },
    positionals: ['name'],
  },
  'data put': {
    name: 'data put', usage: '<model> <file|dir> --category <category> [--date YYYY-MM-DD] [--models-dir <dir>]',
    summary: 'Upload training data where the model\'s runs read it: <data.location><category>/<date>/ in the datasets bucket (a folder\'s files keep their relative paths).',
    flags: {
      'category': { type: 'string', value: '<category>', description: 'The category the data belongs to (one of the spec\'s categories).', required: true },
      'date': { type: 'string', value: 'YYYY-MM-DD', description: 'Execution date the data is for (default: today in the time zone of the model\'s schedule).' },
      'models-dir': modelsDir,
    },
    positionals: ['model', 'path'],
  },
  'data ls': {
    name: 'data ls', usage: '<model> [--category <category>] [--models-dir <dir>]',
    summary: 'List the data a run started now would see: the date folders within data.maxAge, per category, with files, size and age.',
    flags: { category, 'models-dir': modelsDir },
    positionals: ['model'],
  },
  'local up': {
    name: 'local up', usage: '[--models-dir <dir>]',
    summary: 'Run the platform on this machine, no AWS account, no Docker: synthesize the default app, start DynamoDB Local and the S3 emulator, create the tables and buckets (state in .mlops-local/).',
    flags: { 'models-dir': modelsDir },
    positionals: [],
  },
  'local ingest': {
    name: 'local ingest', usage: '<model> [--date YYYY-MM-DD]',
    summary: 'Run the synthesized ingestion state machine locally (data.ingestion) as its schedule would at midnight after --date: the window ending then (the whole day with every: 1d, the day\'s last window with a shorter cadence), the model\'s own ingestion command under the container contract, the delivery filed under that date.',
    flags: { date: { type: 'string', value: 'YYYY-MM-DD', description: 'The day to ingest (default: today, UTC).' } },
    positionals: ['model'],
  },
  'local train': {
    name: 'local train', usage: '<model> [--set key=value]... [--date YYYY-MM-DD]',
    summary: 'Run the synthesized training state machine locally (the real handlers, the model\'s own train command under the container contract), then the scoring it starts; the date\'s data must be there (mlops local ingest).',
    flags: {
      set: { type: 'list', value: 'key=value', description: 'Override a hyperparameter for this run (repeatable).' },
      date: { type: 'string', value: 'YYYY-MM-DD', description: 'Execution date of the data (default: today, UTC).' },
    },
    positionals: ['model'],
  },
  'local score': {
    name: 'local score', usage: '<model> [--date YYYY-MM-DD]',
    summary: 'Run the synthesized batch inference state machine locally: score the desired versions and load their predictions.',
    flags: { date: { type: 'string', value: 'YYYY-MM-DD', description: 'Execution date of the input data (default: today, UTC).' } },
    positionals: ['model'],
  },
  'local serve': {
    name: 'local serve', usage: '<model> [--port <n>]',
    summary: 'Start the prediction server (build/server) against the local platform, in the background.',
    flags: { port: { type: 'string', value: '<n>', description: 'Port on 127.0.0.1 (default: a free one).' } },
    positionals: ['model'],
  },
  'local down': {
    name: 'local down', usage: '',
    summary: 'Stop the prediction server and the emulators of mlops local up.',
    flags: {}, positionals: [],
  },
  ui: {
    name: 'ui', usage: '[--port <n>] [--models-dir <dir>]',
    summary: 'Open the registry in a local web page (127.0.0.1): runs with filters and metric curves, comparisons, and each model\'s versions, production timeline, drift and freshness.',
    flags: {
      'port': { type: 'string', value: '<n>', description: 'Port on 127.0.0.1 (default 8484; 0 picks a free one).' },
      'models-dir': { ...modelsDir, description: `${modelsDir.description} The page takes each model's threshold and freshness budget from its spec.` },
    },
    positionals: [],
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_TABLE;

/** The declaration of `name`, looked up as an own property (never Object.prototype's). */
export function commandSpec(name: string): CommandSpec | undefined {
  return Object.hasOwn(COMMAND_TABLE, name) ? (COMMAND_TABLE as Record<string, CommandSpec>)[name] : undefined;
}
