// `npm run demo`: the whole loop on one machine, from the synthesized templates. Each step says
// what it does as it starts, long steps report every Task state as it ends, and everything
// started (emulators, prediction server, temp folders) is stopped by the caller's Cleanup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as mlops } from '../../cli/main';
import { PARAMETERS } from '../../lambda/shared/contract';
import { Answer } from '../../lambda/shared/predict/core';
import { validateModelSpecs } from '../../lib/checks/spec-report';
import { Cleanup } from '../cleanup';
import { packageRoot } from '../container/example-model';
import { freePort, startDynamoDbLocal, startS3Emulator } from '../emulators';
import { synthDefaultApp } from '../platform/assembly';
import { ingestionSummary } from '../pipelines/ingestion-handlers';
import { ExecutionOutcome, LocalModel, LocalPlatform, taskLine } from '../platform/local-platform';
import { startPredictionServer } from '../prediction-server';
import { DemoAnswers, checkAnswers } from './verify';

export interface DemoOptions {
  /** Where progress lines go. */
  readonly out: (line: string) => void;
  /** Everything the demo starts is registered here; the caller runs it (also on SIGINT). */
  readonly cleanup: Cleanup;
  /** The demo adds the ports it listens on and the processes it starts, as it starts them (the caller checks they are gone after cleanup). */
  readonly started: { readonly ports: number[]; readonly pids: number[] };
  /** @default 'demand-forecast' */
  readonly model?: string;
  /** @default the package's models/ folder */
  readonly modelsDir?: string;
  /** The day ingested (the window ending at the next midnight, UTC) and the runs' execution date. @default today (UTC) */
  readonly date?: string;
}

/** What the demo showed (checked by checkAnswers before it returns). */
export interface DemoReport {
  readonly answers: DemoAnswers;
  readonly promotedVersion: number;
}

const KNOWN = 'store-001';
const MISSING = 'store-999';
const RULE_MATCHED = 'test-store-42';

export async function runDemo(opts: DemoOptions): Promise<DemoReport> {
  const out = opts.out;
  const model = opts.model ?? 'demand-forecast';
  const date = opts.date ?? new Date().toISOString().slice(0, 10);
  const started = Date.now();
  const step = (n: number, text: string) => out(`\n[${n}/5] ${text}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const { ports, pids } = opts.started;

  step(1, 'synthesizing the default app and starting the emulators');
  const modelsDir = opts.modelsDir ?? join(packageRoot(), 'models');
  const outdir = mkdtempSync(join(tmpdir(), 'mlops-demo-cdk-'));
  opts.cleanup.add(() => rmSync(outdir, { recursive: true, force: true }));
  const emulators = Promise.all([startDynamoDbLocal(), startS3Emulator()]);
  // Stopped even when the synth fails while they start.
  opts.cleanup.add(async () => { for (const e of await emulators.catch(() => [])) await e.stop(); });
  const assembly = synthDefaultApp({ modelsDir, outdir });
  out(`  synthesized ${[assembly.platformStack.stackName, ...Object.values(assembly.models).map((s) => s.stackName)].join(', ')}`);
  const [ddb, s3] = await emulators;
  for (const e of [ddb, s3]) {
    ports.push(Number(new URL(e.endpoint).port));
    pids.push(e.pid);
  }
  out(`  DynamoDB Local ${ddb.endpoint}, S3 emulator ${s3.endpoint}`);
  const specs = validateModelSpecs(modelsDir).specs;
  const platform = new LocalPlatform({ assembly, specs, endpoints: { dynamodb: ddb.endpoint, s3: s3.endpoint }, onTask: (e) => out(`    ${taskLine(e)}`) });
  const created = await platform.createResources();
  for (const t of created.tables) {
    const keys = (t.input.KeySchema ?? []).map((k) => `${k.AttributeName} ${k.KeyType}`).join(', ');
    const gsis = (t.input.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).join(', ');
    out(`  table ${t.name}: ${keys}${gsis ? `; GSI ${gsis}` : ''}${t.ttlAttribute ? `; TTL on ${t.ttlAttribute}` : ''}`);
  }
  out(`  buckets ${created.buckets.join(', ')}`);

  step(2, `ingesting ${date} with the ingestion state machine of ${model}, then training on it (run 1: window=7)`);
  const spec = specs.find((s) => s.name === model);
  if (!spec) throw new Error(`no spec for model "${model}" in ${modelsDir}`);
  const local = platform.model(model);
  out(`  as the schedule starts it at the midnight after ${date} (UTC): the window of ${date}, the job (${spec.data.ingestion?.command?.join(' ') ?? 'a built-in source'}), the delivery`);
  const { execution, arrived } = await local.ingestDay(date);
  failOn('ingestion', execution);
  for (const line of ingestionSummary(execution, arrived, platform.parameter(PARAMETERS.datasetsBucket))) out(`  ${line}`);
  // What training on arrival does with the event: train the window's date.
  const delivered = arrived[0]?.date;
  if (delivered !== date) throw new Error(`the ingestion delivered ${delivered ? `the date ${delivered}` : 'no Data Arrived event'}, not ${date}`);
  await train(local, out, { executionDate: delivered, hyperparameters: { window: '7' } });

  step(3, 'training again with the spec\'s hyperparameters: evaluate, register, promote if better, score and load');
  await train(local, out, { executionDate: date });
  for (const category of spec.categories) {
    const served = await platform.registry.getServed(model, category);
    out(`  ${category}: served v${served?.version}`);
  }

  step(4, 'starting the prediction server (build/server) against the emulators');
  const port = await freePort();
  const server = await startPredictionServer(platform.serverEnvironment(model, port));
  opts.cleanup.add(() => server.stop());
  ports.push(port);
  pids.push(server.process.pid!);
  const category = spec.categories[0];
  const ask = async (id: string): Promise<Answer> => {
    const res = await fetch(`${server.url}/v1/models/${model}/predictions/${id}?category=${category}`);
    return await res.json() as Answer;
  };
  const show = (label: string, a: Answer) => out(`  ${label.padEnd(28)} -> ${JSON.stringify({ prediction: a.prediction, version: a.version, source: a.source, ...(a.rule ? { rule: a.rule } : {}) })}`);
  const known = await ask(KNOWN);
  show(`GET ${KNOWN} (known)`, known);
  const missing = await ask(MISSING);
  show(`GET ${MISSING} (missing)`, missing);
  const rule = await ask(RULE_MATCHED);
  show(`GET ${RULE_MATCHED} (rule)`, rule);

  const older = 1;
  step(5, `promoting the older v${older} of ${category} (no redeploy)`);
  const cli = ['promote', model, String(older), '--category', category, '--reason', 'demo: back to the first version'];
  out(`  $ mlops ${cli.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}   (the CLI in-process, with the environment --local sets)`);
  const code = await mlops(cli, { out: (t) => out(`  ${t}`), err: (t) => out(`  ${t}`) }, { env: platform.cliEnvironment() });
  if (code !== 0) throw new Error(`the promotion failed (exit code ${code})`);
  // The server refreshes the served version in the background (every 15 s, PREDICT_DEFAULTS).
  let after = await ask(KNOWN);
  const waitStarted = Date.now();
  while (after.version !== older) {
    if (Date.now() - waitStarted > 40_000) throw new Error(`the server still answers v${after.version} 40 s after the promotion`);
    out(`  waiting for the server to refresh its served version... ${Math.round((Date.now() - waitStarted) / 1000)} s`);
    await new Promise((r) => setTimeout(r, 3000));
    after = await ask(KNOWN);
  }
  show(`GET ${KNOWN} (after promote)`, after);
  checkAnswers(spec, { known, missing, rule, afterPromotion: after }, older);
  out(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s: the answer moved from v${known.version} to v${after.version} without a redeploy`);
  return { answers: { known, missing, rule, afterPromotion: after }, promotedVersion: older };
}

async function train(local: LocalModel, out: (line: string) => void, input: Record<string, unknown>): Promise<void> {
  const { training, scoring } = await local.train(input);
  failOn('training', training);
  const summary = (training as { output: { summary?: { categories?: unknown } } }).output.summary;
  out(`  training ${training.status}${summary ? `: ${JSON.stringify(summary).slice(0, 400)}` : ''}`);
  for (const s of scoring) {
    failOn('scoring', s);
    out(`  scoring ${s.status}`);
  }
}

function failOn(what: string, o: ExecutionOutcome): void {
  if (o.status !== 'SUCCEEDED') throw new Error(`the ${what} execution failed: ${o.error}: ${o.cause.slice(0, 2000)}`);
}
