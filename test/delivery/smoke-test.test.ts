// scripts/smoke-test.mjs, run as the pipeline runs it (a child process), against a local
// platform: the registry and predictions tables in DynamoDB Local, the bundled prediction server
// (build/server/server.js, `npm run build` first) on loopback, and the platform's SSM parameters
// served by a small stand-in of SSM's JSON protocol (GetParameter only: there is no SSM emulator).
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runInNewContext } from 'node:vm';
import { PARAMETERS } from '../../lambda/shared/contract';
import { SMOKE_PROBE_SOURCE, smokeProbeParameter } from '../../lib/delivery/smoke-probe-source';
import { ENV } from '../../lambda/shared/env';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { writeItems, toItem } from '../../lambda/shared/predictions/loader';
import { PREDICTIONS_SCHEMA } from '../../lambda/shared/predictions/schema';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { createLocalTable, localDoc } from '../support/dynamo';
import { dynamoEndpoint } from '../support/endpoints';

const ROOT = join(__dirname, '..', '..');
const SERVER = join(ROOT, 'build', 'server', 'server.js');
const PLATFORM = 'smoke';
const LOCAL_AWS = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** A stand-in for SSM's GetParameter (awsJson1_1), holding `parameters`. */
function ssmStandIn(parameters: Map<string, string>): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const name = JSON.parse(body).Name as string;
      const value = parameters.get(name);
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (req.headers['x-amz-target'] !== 'AmazonSSM.GetParameter' || value === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ParameterNotFound', message: `${name} not found` }));
        return;
      }
      res.end(JSON.stringify({ Parameter: { Name: name, Type: 'String', Value: value, Version: 1 } }));
    });
  });
}

type Probe = (event: unknown, fetchImpl?: typeof fetch, region?: string) => Promise<{ status?: number; body?: string; error?: string }>;

/** The probe function's code, loaded as Lambda loads it (CommonJS, global fetch). */
function loadProbe(): Probe {
  const module = { exports: {} as { probe: Probe } };
  runInNewContext(SMOKE_PROBE_SOURCE, { module, exports: module.exports, fetch, AbortSignal, URL, JSON, String, RegExp, process: { env: {} } });
  return module.exports.probe;
}

/**
 * A stand-in for Lambda's Invoke API that runs the probe's code, with the internal load
 * balancer's name resolving to the local prediction server; it records each request's SigV4 scope.
 */
function lambdaStandIn(probe: Probe, albHost: string, serverPort: () => number, scopes: string[]): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', async () => {
      scopes.push(/Credential=[^/]+\/\d{8}\/([^/]+\/[^/]+)\/aws4_request/.exec(String(req.headers.authorization))?.[1] ?? 'unsigned');
      const local: typeof fetch = (url, init) => fetch(String(url).replace(albHost, `127.0.0.1:${serverPort()}`), init);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(await probe(JSON.parse(body), local, 'us-east-1')));
    });
  });
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  s.close();
  await once(s, 'close');
  return port;
}

function runSmokeTest(ssmPort: number, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'smoke-test.mjs'), '--platform', PLATFORM, '--region', 'us-east-1', '--attempts', '1', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...LOCAL_AWS, AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${ssmPort}`, AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(), ...env },
  });
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  child.stderr.on('data', (c) => { out += c; });
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, out }));
}

describe('the smoke test against a local platform', () => {
  const parameters = new Map<string, string>();
  const ssm = ssmStandIn(parameters);
  let ssmPort: number;
  let server: ChildProcess;
  let serverPort: number;
  const doc = localDoc();

  beforeAll(async () => {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run 'npm run build' first`);
    const [predictions, registryTable] = await Promise.all([
      createLocalTable('predictions', { partitionKey: PREDICTIONS_SCHEMA.partitionKey }),
      createLocalTable('registry', REGISTRY_SCHEMA),
    ]);
    const registry = new ModelRegistryClient({ tableName: registryTable, doc });
    await registry.createModel({ model: 'demand', actor: 'test' });
    const v = await registry.registerVersion({ model: 'demand', category: 'books', artifactUri: 's3://a/m.tar.gz', actor: 'test' });
    await registry.promote({ model: 'demand', category: 'books', version: v.version, actor: 'test', reason: 'test' });
    const generatedAt = new Date();
    await writeItems({ doc, tableName: predictions }, [
      toItem({ entityId: 'store-1', prediction: { units: 7 } }, { model: 'demand', category: 'books', version: v.version, ttlHours: 72, generatedAt }),
    ]);
    // Two-phase promotion: the servers answer with a version once its predictions are loaded.
    await registry.markLoaded({ model: 'demand', category: 'books', version: v.version, generatedAt: generatedAt.toISOString(), ttlHours: 72 });

    const port = await freePort();
    serverPort = port;
    server = spawn(process.execPath, [SERVER], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        PATH: process.env.PATH ?? '', ...LOCAL_AWS,
        [PREDICT_ENV.port]: String(port),
        [ENV.predictionsTable]: predictions,
        [ENV.registryTable]: registryTable,
        [PREDICT_ENV.servingConfig]: JSON.stringify({ models: { demand: { categories: ['books'] }, unloaded: { categories: ['books'] } } }),
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
      },
    });
    for await (const line of createInterface({ input: server.stdout! })) if (line.includes('prediction server listening')) break;

    ssmPort = await listen(ssm);
    parameters.set(PARAMETERS.registryTable(PLATFORM), registryTable);
    parameters.set(PARAMETERS.endpoint(PLATFORM, 'demand'), `http://127.0.0.1:${port}/`);
    parameters.set(PARAMETERS.endpoint(PLATFORM, 'unloaded'), `http://127.0.0.1:${port}`);
  });

  afterAll(() => {
    server?.kill('SIGKILL');
    ssm.close();
    doc.destroy();
  });

  test('health, a known prediction from the model, and the registry: every check passes, exit 0', async () => {
    const { code, out } = await runSmokeTest(ssmPort, ['--model', 'demand=store-1']);
    expect(out).toMatch(/^ok {3}registry reachable \(table registry-/m);
    expect(out).toContain('ok   demand: prediction API health');
    expect(out).toMatch(/^ok {3}demand: prediction of store-1 \(source model, version 1\)$/m);
    expect(out).toContain('3/3 checks passed for platform smoke in us-east-1');
    expect(code).toBe(0);
  });

  test('without a known entity, a well-formed fallback answer passes', async () => {
    const { code, out } = await runSmokeTest(ssmPort, ['--model', 'unloaded']);
    expect(out).toMatch(/^ok {3}unloaded: prediction of smoke-test \(source fallback, version -\)$/m);
    expect(code).toBe(0);
  });

  test('a known entity answered by the fallback fails, saying why', async () => {
    const { code, out } = await runSmokeTest(ssmPort, ['--model', 'unloaded=store-1']);
    expect(out).toMatch(/^FAIL unloaded: prediction of store-1: GET http:\/\/127\.0\.0\.1:\d+\/v1\/models\/unloaded\/predictions\/store-1 answered from "fallback" \(no-production-version\), but store-1 has a known prediction: expected source "model"/m);
    expect(out).toContain('2/3 checks passed');
    expect(code).toBe(1);
  });

  test('a model whose endpoint is not published, and an unreachable registry, fail with the parameter or table named', async () => {
    const saved = parameters.get(PARAMETERS.registryTable(PLATFORM))!;
    parameters.set(PARAMETERS.registryTable(PLATFORM), 'no-such-table');
    try {
      const { code, out } = await runSmokeTest(ssmPort, ['--model', 'churn']);
      expect(out).toMatch(/^FAIL registry reachable: GetItem on no-such-table failed \(ResourceNotFoundException: /m);
      expect(out).toContain('FAIL churn: prediction API health: SSM parameter /cdk-mlops/smoke/models/churn/endpoint cannot be read (ParameterNotFound: /cdk-mlops/smoke/models/churn/endpoint not found); is platform "smoke" deployed in us-east-1?');
      expect(out).toContain('0/3 checks passed');
      expect(code).toBe(1);
    } finally {
      parameters.set(PARAMETERS.registryTable(PLATFORM), saved);
    }
  });

  describe('an internal load balancer (out of the pipeline\'s reach)', () => {
    const alb = 'internal-mlops-service-1234567890.us-east-1.elb.amazonaws.com';
    const scopes: string[] = [];
    const lambdaApi = lambdaStandIn(loadProbe(), alb, () => serverPort, scopes);
    let lambdaPort: number;
    beforeAll(async () => {
      lambdaPort = await listen(lambdaApi);
      parameters.set(PARAMETERS.endpoint(PLATFORM, 'demand'), `http://${alb}`);
      parameters.set(smokeProbeParameter(PLATFORM), 'smoke-probe');
    });
    afterAll(() => {
      lambdaApi.close();
      parameters.set(PARAMETERS.endpoint(PLATFORM, 'demand'), `http://127.0.0.1:${serverPort}/`);
    });

    test('is checked through the probe function, invoked with SigV4 for Lambda', async () => {
      const { code, out } = await runSmokeTest(ssmPort, ['--model', 'demand=store-1'], { AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${lambdaPort}` });
      expect(out).toContain(`ok   demand: prediction API health (http://${alb}/health)`);
      expect(out).toMatch(/^ok {3}demand: prediction of store-1 \(source model, version 1\)$/m);
      expect(code).toBe(0);
      expect(scopes).toEqual(['us-east-1/lambda', 'us-east-1/lambda']);
    });

    test('the probe GETs only /health and one prediction, on an internal load balancer of its region', async () => {
      const probe = loadProbe();
      const never: typeof fetch = async () => { throw new Error('must not fetch'); };
      for (const url of [`http://${alb}/v1/models/demand/predictions:batchGet`, `http://${alb}/health?x=1`, 'http://169.254.169.254/latest/meta-data/', `http://${alb.replace('us-east-1', 'eu-west-1')}/health`, 'not a url']) {
        expect(await probe({ url }, never, 'us-east-1')).toEqual({ error: expect.stringMatching(/^(refused|url)/) });
      }
      expect(await probe({ url: `https://${alb}/v1/models/demand/predictions/e%201` }, async () => new Response('{"ok":1}', { status: 200 }), 'us-east-1')).toEqual({ status: 200, body: '{"ok":1}' });
    });
  });

  test('bad arguments exit 2 with the usage', async () => {
    const { code, out } = await runSmokeTest(ssmPort, ['--model', 'Demand Forecast']);
    expect(out).toContain('error: --model Demand Forecast: "Demand Forecast" is not a model name');
    expect(code).toBe(2);
  });
});
