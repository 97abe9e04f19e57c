// `mlops local up | ingest | train | score | serve | down`: the demo's machinery step by step. `up`
// leaves a process holding the emulators (state in .mlops-local/); `ingest`, `train` and `score`
// run the synthesized state machines in this process against them; `serve` leaves the prediction server running;
// `down` stops both. Every other command reaches this platform with --local.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionOutcome, LocalPlatform } from '../../local/platform/local-platform';
import { mlopsCommand } from '../command-line';
import { COMMAND_TABLE } from '../command-table';
import { CliContext } from '../context';
import { CliError, EXIT, NotFound, UsageError } from '../errors';
import { LocalState, alive, assemblyDir, localDir, readLocalState, stateFile, writeLocalState } from '../local-state';
import type { ModelSpec } from '../../lib/spec/model-spec';
import { Command } from './command';
import { requireLocalModePackages } from './local-packages';

/**
 * The local machinery (emulators, ASL runner, synth) needs local mode's optional peer
 * dependencies: it is loaded on use, after checking they resolve, so the CLI starts without them.
 */
async function machinery() {
  requireLocalModePackages();
  // The handlers' operational log lines would bury the progress lines.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  return {
    ...await import('../../local/platform/local-platform'),
    ...await import('../../local/platform/assembly'),
    ...await import('../../local/pipelines/ingestion-handlers'),
    ...await import('../../local/prediction-server'),
    ...await import('../../local/emulators'),
    ...await import('../../local/container/example-model'),
    ...await import('../../lib/checks/spec-report'),
    ...await import('../../lambda/shared/contract'),
    ...await import('@aws-sdk/client-s3'),
  };
}

const UP_TIMEOUT_MS = 180_000;

const conflict = (message: string, fix: string) => new CliError(message, fix, EXIT.conflict);

function running(ctx: CliContext): { dir: string; state: LocalState } {
  const dir = localDir(ctx.cwd, ctx.env);
  const state = readLocalState(dir);
  if (!state || !alive(state.daemonPid)) throw new NotFound(`no local platform is running (no live ${stateFile(dir)})`, 'start one with: mlops local up');
  return { dir, state };
}

async function platformOf(ctx: CliContext, dir: string, state: LocalState): Promise<LocalPlatform> {
  const { LocalPlatform, readAssembly, taskLine, validateModelSpecs } = await machinery();
  return new LocalPlatform({
    assembly: readAssembly(assemblyDir(dir)), specs: validateModelSpecs(state.modelsDir).specs, endpoints: state.endpoints,
    onTask: (e) => ctx.io.out(`  ${taskLine(e)}`),
  });
}

function report(ctx: CliContext, what: string, o: ExecutionOutcome): number {
  ctx.io.out(o.status === 'SUCCEEDED' ? `${what} SUCCEEDED` : `${what} FAILED: ${o.error}: ${o.cause.slice(0, 1000)}`);
  return o.status === 'SUCCEEDED' ? EXIT.ok : EXIT.other;
}

export const localUpCommand: Command = {
  ...COMMAND_TABLE['local up'],
  async run(ctx, args) {
    const { packageRoot } = await machinery();
    const dir = localDir(ctx.cwd, ctx.env);
    const existing = readLocalState(dir);
    if (existing && alive(existing.daemonPid)) throw conflict(`a local platform is already running (pid ${existing.daemonPid}, ${existing.endpoints.dynamodb})`, 'use it, or stop it first: mlops local down');
    const modelsDir = (args.flags['models-dir'] as string | undefined) ?? join(ctx.cwd, 'models');
    mkdirSync(dir, { recursive: true });
    rmSync(join(dir, 'error.txt'), { force: true });
    rmSync(stateFile(dir), { force: true });
    ctx.io.out(`synthesizing ${modelsDir} and starting DynamoDB Local and the S3 emulator (state in ${dir})...`);
    const daemon = spawn(process.execPath, [join(packageRoot(), 'dist', 'local', 'daemon.js'), dir, modelsDir], { detached: true, stdio: 'ignore', env: process.env });
    daemon.unref();
    const deadline = Date.now() + UP_TIMEOUT_MS;
    while (!readLocalState(dir)) {
      if (existsSync(join(dir, 'error.txt'))) throw new UsageError(`the local platform did not start: ${readFileSync(join(dir, 'error.txt'), 'utf8')}`, 'fix the problem above, then run mlops local up again');
      if (!alive(daemon.pid!) || Date.now() > deadline) throw new Error(`the local platform did not start within ${UP_TIMEOUT_MS / 1000} s`);
      await ctx.sleep(250);
    }
    const state = readLocalState(dir)!;
    ctx.io.out(`up: DynamoDB Local ${state.endpoints.dynamodb}, S3 emulator ${state.endpoints.s3}; registry table ${state.cliEnv.MLOPS_REGISTRY_TABLE}`);
    ctx.io.out(`next: ${nextSteps((await machinery()).validateModelSpecs(state.modelsDir).specs)}`);
    return EXIT.ok;
  },
};

/** What to run after `up`, per model: a model with data.ingestion has no data until it is ingested. */
export function nextSteps(specs: ReadonlyArray<Pick<ModelSpec, 'name' | 'data'>>): string {
  const first = specs.map((s) => (s.data.ingestion ? `${mlopsCommand('local ingest', [s.name])} then ${mlopsCommand('local train', [s.name])}` : mlopsCommand('local train', [s.name])));
  return `${first.join('; ')}; then ${mlopsCommand('local serve', ['<model>'])}; any mlops command takes --local`;
}

const dayOf = (ctx: CliContext, args: { flags: Record<string, unknown> }): string => (args.flags.date as string | undefined) ?? ctx.now().toISOString().slice(0, 10);

export const localIngestCommand: Command = {
  ...COMMAND_TABLE['local ingest'],
  async run(ctx, args) {
    const { dir, state } = running(ctx);
    const [model] = args.positionals;
    const { PARAMETERS, ingestionSummary } = await machinery();
    const platform = await platformOf(ctx, dir, state);
    const date = dayOf(ctx, args);
    if (!platform.model(model).ingestion) throw new NotFound(`model "${model}" has no data.ingestion`, `put its data under its data.location in the local datasets bucket (${platform.parameter(PARAMETERS.datasetsBucket)}), or add data.ingestion to its spec and restart: mlops local down, mlops local up`);
    const { execution, arrived } = await platform.model(model).ingestDay(date);
    for (const line of ingestionSummary(execution, arrived, platform.parameter(PARAMETERS.datasetsBucket))) ctx.io.out(`  ${line}`);
    const code = report(ctx, 'ingestion', execution);
    if (code === EXIT.ok) ctx.io.out(`next: ${mlopsCommand('local train', [model], { date })}`);
    return code;
  },
};

export const localTrainCommand: Command = {
  ...COMMAND_TABLE['local train'],
  async run(ctx, args) {
    const { dir, state } = running(ctx);
    const [model] = args.positionals;
    const { PARAMETERS, validateModelSpecs, ListObjectsV2Command } = await machinery();
    const platform = await platformOf(ctx, dir, state);
    const date = dayOf(ctx, args);
    const spec = validateModelSpecs(state.modelsDir).specs.find((s) => s.name === model);
    if (!spec) throw new NotFound(`model "${model}" has no spec in ${state.modelsDir}`, 'use a model of mlops models --local');
    const bucket = platform.parameter(PARAMETERS.datasetsBucket);
    // The training's own data check would fail too, without saying how local mode brings data in.
    const prefix = `${spec.data.location}${spec.categories[0]}/${date}/`;
    const listed = spec.data.external ? undefined : await platform.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
    if (listed && !listed.KeyCount) {
      throw new NotFound(`no data of ${date} for ${model} in the local datasets bucket (s3://${bucket}/${prefix} is empty)`, spec.data.ingestion
        ? `bring it in first: ${mlopsCommand('local ingest', [model], { date })}`
        : `put the day's files under s3://${bucket}/${spec.data.location}<category>/${date}/ (the local S3 emulator, ${state.endpoints.s3})`);
    }
    const hyperparameters = Object.fromEntries(((args.flags.set as string[] | undefined) ?? []).map((kv) => {
      const i = kv.indexOf('=');
      if (i < 1) throw new UsageError(`--set ${kv} is not key=value`, 'write --set window=14');
      return [kv.slice(0, i), kv.slice(i + 1)];
    }));
    const { training, scoring } = await platform.model(model).train({ executionDate: date, ...(Object.keys(hyperparameters).length ? { hyperparameters } : {}) });
    let code = report(ctx, 'training', training);
    for (const s of scoring) code = Math.max(code, report(ctx, 'scoring', s));
    return code;
  },
};

export const localScoreCommand: Command = {
  ...COMMAND_TABLE['local score'],
  async run(ctx, args) {
    const { dir, state } = running(ctx);
    const [model] = args.positionals;
    const date = (args.flags.date as string | undefined) ?? ctx.now().toISOString().slice(0, 10);
    return report(ctx, 'scoring', await (await platformOf(ctx, dir, state)).model(model).score({ model, executionDate: date }));
  },
};

export const localServeCommand: Command = {
  ...COMMAND_TABLE['local serve'],
  async run(ctx, args) {
    const { dir, state } = running(ctx);
    const [model] = args.positionals;
    if (state.server && alive(state.server.pid)) throw conflict(`the prediction server is already running at ${state.server.url}`, 'stop everything with: mlops local down');
    const { freePort, startPredictionServer } = await machinery();
    const port = args.flags.port !== undefined ? Number(args.flags.port) : await freePort();
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port ${String(args.flags.port)} is not a port number`, 'write --port 8080');
    const server = await startPredictionServer((await platformOf(ctx, dir, state)).serverEnvironment(model, port), { detached: true });
    writeLocalState(dir, { ...state, server: { pid: server.process.pid!, url: server.url, model } });
    ctx.io.out(`prediction server ${server.url} (pid ${server.process.pid}): curl ${server.url}/v1/models/${model}/predictions/<entityId>?category=<category>`);
    return EXIT.ok;
  },
};

export const localDownCommand: Command = {
  ...COMMAND_TABLE['local down'],
  async run(ctx) {
    const dir = localDir(ctx.cwd, ctx.env);
    const state = readLocalState(dir);
    if (!state) { ctx.io.out('nothing is running'); return EXIT.ok; }
    for (const pid of [state.server?.pid, state.daemonPid]) {
      if (pid === undefined || !alive(pid)) continue;
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 40 && alive(pid); i++) await ctx.sleep(250);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(stateFile(dir), { force: true });
    ctx.io.out('stopped the local platform');
    return EXIT.ok;
  },
};
