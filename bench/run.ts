// `npm run bench`: the serving benchmark of issue 4 on this machine.
// DynamoDB Local + 100k predictions -> the bundled prediction server started exactly as the
// container runs it (`node server.js`, configured by environment) -> autocannon at fixed rates
// over loopback; raw GetItem baselines at the same rates against DynamoDB Local itself; then the
// store is stopped and the server is driven again (outage: fallback share and latency).
// Real time: the example model's serve mode as a local process, called directly and through the
// server's `:invoke` at 300 req/s (every input distinct, so every request reaches the model);
// then a serial composition (stdlib preprocess step -> the model -> stdlib postprocess step, three
// processes) through the same `:invoke` at the same rate.
// Writes bench-results/report.md and bench-results/report.json.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { ENV } from '../lambda/shared/env';
import { documentClient } from '../lambda/shared/dynamo';
import { SERVING } from '../lambda/shared/contract';
import { PREDICT_ENV } from '../lambda/shared/predict/constants';
import { writeItems, toItem } from '../lambda/shared/predictions/loader';
import { PREDICTIONS_SCHEMA, predictionKey } from '../lambda/shared/predictions/schema';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../lambda/shared/registry';
import { trainExampleModel } from '../local/container/example-model';
import { startModelServer } from '../local/container/model-server';
import { freePort, startDynamoDbLocal } from '../local/emulators';
import { startStepServer } from '../test/composition/step-server';
import { LoadResult, drive } from './autocannon';
import { MODULE_INIT_TARGET_MS, ModuleInit, measureModuleInit, predictApiHandler } from './cold-start';

const MODEL = 'demand-forecast';
const CATEGORY = 'all';
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 15);
const RATES = [100, 300, 1000];
/**
 * autocannon's rate limiter lets each connection send its per-second quota back to back, so
 * the connection count is the burst concurrency. 10 connections (100 requests per connection
 * per second at 1000/s) is used for every run, service and raw baseline alike.
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TARGETS = { p99Ms: 25, p95Ms: 10, ratio: 1.3, outageP99Ms: 50 };
/** Rate of the real-time runs: the reference scenario's average. */
const INVOKE_RATE = 300;
/** The model's latency budget in the server: the reference p99 objective minus the service's overhead. */
const INVOKE_BUDGET_MS = 485;
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REGION = 'us-east-1';

// Entities of the load phases and of the outage are disjoint, so outage answers cannot come
// from the server's cache: they show the store-failure path.
const LOAD_IDS = Math.floor(ENTITIES * 0.7);
const entityId = (n: number) => `cust-${String(n).padStart(6, '0')}`;
const randomLoadId = () => entityId(Math.floor(Math.random() * LOAD_IDS));
const randomOutageId = () => entityId(LOAD_IDS + Math.floor(Math.random() * (ENTITIES - LOAD_IDS)));

function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the package root');
    dir = parent;
  }
  return dir;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function createTables(endpoint: string): Promise<{ predictions: string; registry: string }> {
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  await client.send(new CreateTableCommand({
    TableName: 'predictions', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: PREDICTIONS_SCHEMA.partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: PREDICTIONS_SCHEMA.partitionKey, KeyType: 'HASH' }],
  }));
  await client.send(new UpdateTimeToLiveCommand({ TableName: 'predictions', TimeToLiveSpecification: { AttributeName: PREDICTIONS_SCHEMA.ttlAttribute, Enabled: true } }));
  const idx = REGISTRY_SCHEMA.indexes[0];
  await client.send(new CreateTableCommand({
    TableName: 'registry', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [REGISTRY_SCHEMA.partitionKey, REGISTRY_SCHEMA.sortKey, idx.partitionKey, idx.sortKey].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    KeySchema: [{ AttributeName: REGISTRY_SCHEMA.partitionKey, KeyType: 'HASH' }, { AttributeName: REGISTRY_SCHEMA.sortKey, KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [{
      IndexName: idx.name,
      KeySchema: [{ AttributeName: idx.partitionKey, KeyType: 'HASH' }, { AttributeName: idx.sortKey, KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'ALL' },
    }],
  }));
  client.destroy();
  return { predictions: 'predictions', registry: 'registry' };
}

async function seed(endpoint: string, tables: { predictions: string; registry: string }): Promise<{ version: number; seconds: number }> {
  const doc = documentClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  const registry = new ModelRegistryClient({ tableName: tables.registry, doc });
  await registry.createModel({ model: MODEL, actor: 'bench' });
  const v = await registry.registerVersion({ model: MODEL, category: CATEGORY, artifactUri: 's3://bench/model.tar.gz', actor: 'bench' });
  await registry.promote({ model: MODEL, category: CATEGORY, version: v.version, actor: 'bench', reason: 'benchmark' });
  const ctx = { model: MODEL, category: CATEGORY, version: v.version, generatedAt: new Date(), ttlHours: 72 };
  const items = Array.from({ length: ENTITIES }, (_, n) => toItem({ entityId: entityId(n), prediction: { units: Math.round(Math.random() * 1000) / 10 } }, ctx));
  const started = Date.now();
  await writeItems({ doc, tableName: tables.predictions, concurrency: 8 }, items);
  // Two-phase promotion: servers answer with the served version, which moves once the load is recorded.
  await registry.markLoaded({ model: MODEL, category: CATEGORY, version: v.version, generatedAt: ctx.generatedAt.toISOString(), ttlHours: ctx.ttlHours });
  doc.destroy();
  return { version: v.version, seconds: (Date.now() - started) / 1000 };
}

const SERVING_CONFIG = {
  models: {
    [MODEL]: {
      categories: [CATEGORY],
      rules: {
        prefilter: [{ name: 'blocked-entity', when: { entityId: { oneOf: ['cust-blocked'] } }, prediction: { units: 0 } }],
        fallback: [{ name: 'category-average', prediction: { units: 12.5 } }],
      },
    },
  },
};

async function startServer(serverJs: string, endpoint: string, tables: { predictions: string; registry: string }, extraEnv: Record<string, string> = {}): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [serverJs], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      [PREDICT_ENV.port]: String(port),
      [ENV.predictionsTable]: tables.predictions,
      [ENV.registryTable]: tables.registry,
      [PREDICT_ENV.servingConfig]: JSON.stringify(SERVING_CONFIG),
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...extraEnv,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the server exited with code ${proc.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('the server did not become healthy within 15 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  // One real request resolves the production version before measuring.
  const probe = await fetch(`${url}/v1/models/${MODEL}/predictions/${entityId(0)}?category=${CATEGORY}`).then((r) => r.json()) as { source: string };
  if (probe.source !== 'model') throw new Error(`the server does not answer from the store: ${JSON.stringify(probe)}`);
  return { url, proc };
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

const servicePath = () => ({ path: `/v1/models/${MODEL}/predictions/${randomLoadId()}?category=${CATEGORY}` });

async function main(): Promise<void> {
  const root = packageRoot();
  const serverJs = join(root, 'build', 'server', 'server.js');
  if (!existsSync(serverJs)) throw new Error(`${serverJs} is missing: run 'npm run build' (or 'node server/build.mjs') first`);

  // First, while nothing else runs: the Lambda front end's module init in fresh processes.
  log('Lambda front end module init (11 fresh processes)');
  const moduleInit = measureModuleInit(predictApiHandler(root));

  log('starting DynamoDB Local');
  const ddb = await startDynamoDbLocal();
  let server: ChildProcess | undefined;
  try {
    const tables = await createTables(ddb.endpoint);
    log(`loading ${ENTITIES} predictions`);
    const seeded = await seed(ddb.endpoint, tables);
    log(`loaded in ${seeded.seconds.toFixed(1)} s`);

    const started = await startServer(serverJs, ddb.endpoint, tables);
    server = started.proc;
    // DynamoDB Local is a JVM: its JIT needs traffic before it is at speed. Warm it (through the
    // server, which warms the server too) before any measured run, raw baseline included.
    log('warming up (10 s at 1000 req/s, not reported)');
    await drive({ url: started.url, rate: 1000, durationSeconds: 10, connections: CONNECTIONS, request: servicePath });

    const rawRequest = () => ({
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.GetItem',
        'x-amz-date': '20260101T000000Z',
        // DynamoDB Local reads the access key and region from the header (they scope its
        // tables) but does not verify the signature.
        authorization: `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/20260101/${REGION}/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00`,
      },
      body: JSON.stringify({ TableName: tables.predictions, Key: { pk: { S: predictionKey(MODEL, CATEGORY, seeded.version, randomLoadId()) } } }),
    });
    let rawMissing = 0;
    const rawRuns: LoadResult[] = [];
    for (const rate of RATES) {
      log(`raw GetItem against DynamoDB Local at ${rate} req/s for ${DURATION} s`);
      rawRuns.push(await drive({
        url: ddb.endpoint, rate, durationSeconds: DURATION, connections: CONNECTIONS, request: rawRequest,
        onBody: (status, body) => { if (status !== 200 || !body.includes('"Item"')) rawMissing++; },
      }));
    }
    if (rawMissing > 0) throw new Error(`${rawMissing} raw GetItem calls found no item: the baseline is not measuring real reads`);
    const raw = rawRuns[rawRuns.length - 1];

    const service: LoadResult[] = [];
    for (const rate of RATES) {
      log(`service at ${rate} req/s for ${DURATION} s`);
      service.push(await drive({ url: started.url, rate, durationSeconds: DURATION, connections: CONNECTIONS, request: servicePath }));
    }

    const realTime = await realTimeRuns(serverJs, ddb.endpoint, tables);

    log('service at 1000 req/s with the cache off (MLOPS_CACHE_TTL_MS=0)');
    await stop(server);
    const uncached = await startServer(serverJs, ddb.endpoint, tables, { [PREDICT_ENV.cacheTtlMs]: '0' });
    server = uncached.proc;
    await drive({ url: uncached.url, rate: 500, durationSeconds: 3, connections: CONNECTIONS, request: servicePath });
    const noCache = await drive({ url: uncached.url, rate: 1000, durationSeconds: DURATION, connections: CONNECTIONS, request: servicePath });

    log('stopping DynamoDB Local: outage at 1000 req/s');
    await ddb.stop();
    let answered = 0;
    let fallback = 0;
    const outage = await drive({
      url: uncached.url, rate: 1000, durationSeconds: DURATION, connections: CONNECTIONS,
      request: () => ({ path: `/v1/models/${MODEL}/predictions/${randomOutageId()}?category=${CATEGORY}` }),
      onBody: (status, body) => {
        if (status === 200) answered++;
        if (status === 200 && body.includes('"source":"fallback"')) fallback++;
      },
    });

    const report = buildReport({ service, raw, rawRuns, noCache, outage, answered, fallback, seeded, realTime, moduleInit });
    const outDir = join(root, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(report.json, null, 2)}\n`);
    writeFileSync(join(outDir, 'report.md'), report.markdown);
    process.stdout.write(report.markdown);
    if (!report.json.allTargetsMet) process.exitCode = 2;
  } finally {
    if (server) await stop(server);
    await ddb.stop();
  }
}

interface RealTimeRuns {
  direct: LoadResult;
  invoke: LoadResult;
  /** :invoke answers that came from the model (the rest would be fallbacks). */
  modelAnswers: number;
  /** :invoke of a serial composition: preprocess step -> model -> postprocess step. */
  serial: LoadResult;
  /** Serial :invoke answers that came from the chain (postprocessed: `"rounded":true`). */
  serialAnswers: number;
}

/** A model input no request repeats: the nonce is a feature the model ignores and the cache cannot. */
let nonce = 0;
const invokeBody = () => JSON.stringify({ entityId: `store-00${1 + (nonce % 3)}`, features: { date: '2026-11-25', nonce: nonce++ } });
/** The serial chain's input: the preprocess step turns `store` into the model's `store_id`. */
const serialBody = () => JSON.stringify({ features: { store: 1 + (nonce % 3), date: '2026-11-25', nonce: nonce++ } });

/** The example model as a local process; the model called directly, then through `:invoke`. */
async function realTimeRuns(serverJs: string, endpoint: string, tables: { predictions: string; registry: string }): Promise<RealTimeRuns> {
  const trained = trainExampleModel();
  const model = await startModelServer({ codeDir: join(packageRoot(), 'models', 'demand-forecast'), mlRoot: trained.mlRoot });
  const server = await startServer(serverJs, endpoint, tables, {
    [PREDICT_ENV.modelEndpoints]: JSON.stringify({ models: { [MODEL]: { mode: 'online', url: model.url, budgetMs: INVOKE_BUDGET_MS } } }),
  });
  try {
    const directRequest = () => ({ method: 'POST', path: SERVING.invocationsPath, headers: { 'content-type': 'application/json' }, body: invokeBody() });
    const invokeRequest = () => ({ method: 'POST', path: `/v1/models/${MODEL}/predictions:invoke`, headers: { 'content-type': 'application/json' }, body: invokeBody() });
    log('warming up the model and the :invoke path (3 s each, not reported)');
    await drive({ url: model.url, rate: INVOKE_RATE, durationSeconds: 3, connections: CONNECTIONS, request: directRequest });
    await drive({ url: server.url, rate: INVOKE_RATE, durationSeconds: 3, connections: CONNECTIONS, request: invokeRequest });
    log(`model process directly at ${INVOKE_RATE} req/s for ${DURATION} s`);
    const direct = await drive({ url: model.url, rate: INVOKE_RATE, durationSeconds: DURATION, connections: CONNECTIONS, request: directRequest });
    log(`:invoke through the server at ${INVOKE_RATE} req/s for ${DURATION} s`);
    let modelAnswers = 0;
    const invoke = await drive({
      url: server.url, rate: INVOKE_RATE, durationSeconds: DURATION, connections: CONNECTIONS, request: invokeRequest,
      onBody: (status, body) => { if (status === 200 && body.includes('"source":"model"')) modelAnswers++; },
    });
    const { serial, serialAnswers } = await serialRun(serverJs, endpoint, tables, model.url);
    return { direct, invoke, modelAnswers, serial, serialAnswers };
  } finally {
    await stop(server.proc);
    await model.stop();
    trained.remove();
  }
}

/** A serial composition through `:invoke`: the stdlib preprocess step, the model process, the stdlib postprocess step. */
async function serialRun(serverJs: string, endpoint: string, tables: { predictions: string; registry: string }, modelUrl: string): Promise<{ serial: LoadResult; serialAnswers: number }> {
  const [pre, post] = await Promise.all([startStepServer('preprocess'), startStepServer('postprocess')]);
  const composition = { kind: 'serial', steps: [{ name: 'preprocess', target: { url: pre.url } }, { name: 'model', target: { url: modelUrl } }, { name: 'postprocess', target: { url: post.url } }] };
  const server = await startServer(serverJs, endpoint, tables, {
    [PREDICT_ENV.modelEndpoints]: JSON.stringify({ models: { [MODEL]: { mode: 'online', composition, budgetMs: INVOKE_BUDGET_MS } } }),
  });
  try {
    const request = () => ({ method: 'POST', path: `/v1/models/${MODEL}/predictions:invoke`, headers: { 'content-type': 'application/json' }, body: serialBody() });
    log('warming up the serial composition (3 s, not reported)');
    await drive({ url: server.url, rate: INVOKE_RATE, durationSeconds: 3, connections: CONNECTIONS, request });
    log(`serial composition (preprocess -> model -> postprocess) through :invoke at ${INVOKE_RATE} req/s for ${DURATION} s`);
    let serialAnswers = 0;
    const serial = await drive({
      url: server.url, rate: INVOKE_RATE, durationSeconds: DURATION, connections: CONNECTIONS, request,
      onBody: (status, body) => { if (status === 200 && body.includes('"source":"model"') && body.includes('"rounded":true')) serialAnswers++; },
    });
    return { serial, serialAnswers };
  } finally {
    await stop(server.proc);
    await Promise.all([pre.stop(), post.stop()]);
  }
}

interface ReportInput {
  service: LoadResult[];
  raw: LoadResult;
  rawRuns: LoadResult[];
  noCache: LoadResult;
  outage: LoadResult;
  answered: number;
  fallback: number;
  seeded: { seconds: number };
  realTime: RealTimeRuns;
  moduleInit: ModuleInit;
}

function buildReport(r: ReportInput) {
  const at1000 = r.service[r.service.length - 1];
  const ratio = Math.round((at1000.p99 / r.raw.p99) * 100) / 100;
  const ratioNoCache = Math.round((r.noCache.p99 / r.raw.p99) * 100) / 100;
  const fallbackShare = r.outage.requests ? Math.round((r.fallback / r.outage.requests) * 10000) / 100 : 0;
  const answeredShare = r.outage.requests ? Math.round((r.answered / r.outage.requests) * 10000) / 100 : 0;
  const rt = r.realTime;
  const invokeRatio = Math.round((rt.invoke.p99 / rt.direct.p99) * 100) / 100;
  const invokeModelShare = rt.invoke.requests ? Math.round((rt.modelAnswers / rt.invoke.requests) * 10000) / 100 : 0;
  const serialRatio = Math.round((rt.serial.p99 / rt.invoke.p99) * 100) / 100;
  const serialShare = rt.serial.requests ? Math.round((rt.serialAnswers / rt.serial.requests) * 10000) / 100 : 0;
  const checks = [
    { target: 'p99 at 1000 req/s <= 25 ms', value: `${at1000.p99} ms`, met: at1000.p99 <= TARGETS.p99Ms },
    { target: 'p95 at 1000 req/s <= 10 ms', value: `${at1000.p95} ms`, met: at1000.p95 <= TARGETS.p95Ms },
    { target: '0 errors at 1000 req/s', value: `${at1000.errors + at1000.non2xx}`, met: at1000.errors + at1000.non2xx === 0 },
    { target: 'p99 ratio service / raw GetItem <= 1.3', value: `${ratio}`, met: ratio <= TARGETS.ratio },
    { target: 'outage: 100% answered, all fallback', value: `${answeredShare}% answered, ${fallbackShare}% fallback`, met: answeredShare === 100 && fallbackShare === 100 },
    { target: 'outage p99 <= 50 ms', value: `${r.outage.p99} ms`, met: r.outage.p99 <= TARGETS.outageP99Ms },
    { target: `:invoke at ${INVOKE_RATE} req/s: every answer from the model, 0 errors`, value: `${invokeModelShare}% model answers, ${rt.invoke.errors + rt.invoke.non2xx} errors`, met: invokeModelShare === 100 && rt.invoke.errors + rt.invoke.non2xx === 0 },
    { target: `:invoke p99 within the SLO (500 ms)`, value: `${rt.invoke.p99} ms`, met: rt.invoke.p99 <= 500 },
    { target: `serial composition :invoke at ${INVOKE_RATE} req/s: every answer through the chain, 0 errors`, value: `${serialShare}% chain answers, ${rt.serial.errors + rt.serial.non2xx} errors`, met: serialShare === 100 && rt.serial.errors + rt.serial.non2xx === 0 },
    { target: `serial composition :invoke p99 within the SLO (500 ms)`, value: `${rt.serial.p99} ms`, met: rt.serial.p99 <= 500 },
    { target: `Lambda front end module init <= ${MODULE_INIT_TARGET_MS} ms (median)`, value: `${r.moduleInit.medianMs} ms`, met: r.moduleInit.medianMs <= MODULE_INIT_TARGET_MS },
  ];
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const row = (name: string, x: LoadResult) => `| ${name} | ${x.targetRate} | ${x.achievedRate} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.max} | ${x.errors + x.non2xx} |`;
  const markdown = [
    '# Serving benchmark',
    '',
    `${new Date().toISOString()} on ${machine}. ${ENTITIES} predictions in DynamoDB Local (loaded in ${r.seeded.seconds.toFixed(1)} s);`,
    `the bundled server run as \`node server.js\`; autocannon over loopback, ${DURATION} s per rate, ${CONNECTIONS} connections,`,
    'fixed overall rate, coordinated-omission correction off, latencies (ms) from every response.',
    '',
    '| run | target req/s | achieved req/s | p50 | p95 | p99 | max | errors |',
    '|---|---|---|---|---|---|---|---|',
    ...r.service.map((x) => row('service', x)),
    ...r.rawRuns.map((x) => row('raw GetItem (DynamoDB Local)', x)),
    row('service, cache off', r.noCache),
    row('service, store stopped', r.outage),
    row('model process directly (POST /invocations)', rt.direct),
    row('service :invoke -> model process', rt.invoke),
    row('service :invoke -> serial: preprocess -> model -> postprocess', rt.serial),
    '',
    `p99 ratio service / raw GetItem at 1000 req/s: **${ratio}** (cache off: ${ratioNoCache}).`,
    `During the outage ${answeredShare}% of requests were answered (HTTP 200) and ${fallbackShare}% were fallback answers.`,
    `Lambda front end module init (\`require\` of build/handlers/predict-api/index.js in a fresh process, ${r.moduleInit.runs.length} runs): median **${r.moduleInit.medianMs} ms** (${r.moduleInit.runs.join(', ')}).`,
    `Real time at ${INVOKE_RATE} req/s (every input distinct, so no answer-cache hit): p99 ratio :invoke / model directly **${invokeRatio}** (${rt.invoke.p99} ms / ${rt.direct.p99} ms); ${invokeModelShare}% of :invoke answers came from the model.`,
    `Serial composition at ${INVOKE_RATE} req/s (three processes, two more hops): p99 **${rt.serial.p99} ms**, ratio to the single-model :invoke **${serialRatio}**; ${serialShare}% of answers went through the whole chain.`,
    '',
    '| target | measured | met |',
    '|---|---|---|',
    ...checks.map((c) => `| ${c.target} | ${c.value} | ${c.met ? 'yes' : '**no**'} |`),
    '',
  ].join('\n');
  const json = {
    generatedAt: new Date().toISOString(), machine, entities: ENTITIES, durationSeconds: DURATION, connections: CONNECTIONS,
    service: r.service, rawGetItem: r.raw, rawGetItemByRate: r.rawRuns, serviceCacheOff: r.noCache, outage: { ...r.outage, answeredShare, fallbackShare },
    p99Ratio: ratio, p99RatioCacheOff: ratioNoCache,
    realTime: { rate: INVOKE_RATE, budgetMs: INVOKE_BUDGET_MS, direct: rt.direct, invoke: rt.invoke, p99Ratio: invokeRatio, modelAnswerShare: invokeModelShare,
      serial: rt.serial, serialP99RatioToInvoke: serialRatio, serialChainShare: serialShare },
    moduleInit: r.moduleInit,
    checks, allTargetsMet: checks.every((c) => c.met),
  };
  return { markdown, json };
}

main().catch((e) => {
  process.stderr.write(`[bench] failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
