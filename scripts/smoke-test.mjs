#!/usr/bin/env node
// Post-deploy smoke test of one platform environment, run by the delivery pipeline after each
// stage (MlopsDeliveryPipeline) and usable by hand. It finds everything through the SSM
// parameters the platform publishes (/cdk-mlops/<platform>/...), then checks:
//   1. the registry is reachable: one read of its table (an item that need not exist);
//   2. per served model, the prediction API is healthy: GET <endpoint>/health answers 200 {"status":"ok"};
//   3. per served model, one prediction: GET <endpoint>/v1/models/<model>/predictions/<entity>
//      answers 200 with a well-formed answer; for an entity given as --model <name>=<entity>
//      (a known prediction), the answer must come from the model, not a rule or the fallback.
// API Gateway endpoints (IAM authorization) get SigV4-signed requests; internal load balancers,
// out of the pipeline's reach, are asked through the probe function the platform runs in its VPC
// (SmokeTestAccess), named by the SSM parameter /cdk-mlops/<platform>/delivery/smoke-probe-function.
//   node scripts/smoke-test.mjs --platform default --region eu-west-1 --model demand-forecast[=store-1] [--attempts 5]
// Exit code 0 when every check passes, 1 when one fails, 2 on bad arguments.
import { createHash, createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SignatureV4 } from '@smithy/signature-v4';

const SOURCES = ['model', 'rule', 'fallback'];
const DEFAULT_ENTITY = 'smoke-test';

function usage(message) {
  process.stderr.write(`error: ${message}\nusage: node scripts/smoke-test.mjs --platform <name> --region <region> [--model <name>[=<entity>]]... [--attempts <n>]\n`);
  process.exit(2);
}

function options() {
  let parsed;
  try {
    parsed = parseArgs({ options: {
      platform: { type: 'string', default: process.env.MLOPS_PLATFORM ?? 'default' },
      region: { type: 'string', default: process.env.AWS_REGION },
      model: { type: 'string', multiple: true, default: [] },
      attempts: { type: 'string', default: '5' },
      'retry-seconds': { type: 'string', default: '10' },
    } }).values;
  } catch (e) { usage(e.message); }
  if (!parsed.region) usage('--region is missing (or set AWS_REGION)');
  const attempts = Number(parsed.attempts);
  const retrySeconds = Number(parsed['retry-seconds']);
  if (!Number.isInteger(attempts) || attempts < 1) usage(`--attempts must be a whole number >= 1, but ${parsed.attempts} was given`);
  if (!(retrySeconds >= 0)) usage(`--retry-seconds must be a number >= 0, but ${parsed['retry-seconds']} was given`);
  const models = parsed.model.map((m) => {
    const [name, entity] = m.split('=');
    if (!/^[a-z][a-z0-9-]{1,62}$/.test(name)) usage(`--model ${m}: "${name}" is not a model name (lowercase letters, digits and hyphens)`);
    return { name, entity: entity ?? DEFAULT_ENTITY, known: entity !== undefined };
  });
  return { platform: parsed.platform, region: parsed.region, models, attempts, retryMs: retrySeconds * 1000 };
}

/** node:crypto as the Checksum SignatureV4 expects (HMAC when given a secret). */
class Sha256 {
  constructor(secret) { this.hash = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(data) { this.hash.update(data); }
  async digest() { return new Uint8Array(this.hash.digest()); }
}

const EXECUTE_API = /\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/;
const INTERNAL_ALB = /^internal-[A-Za-z0-9-]+\.[a-z0-9-]+\.elb\.amazonaws\.com$/;

async function fetchJson(url, init, signer) {
  const u = new URL(url);
  let headers = { ...init.headers, host: u.host };
  if (signer) {
    const query = Object.fromEntries(u.searchParams);
    headers = (await signer.sign({ method: init.method, protocol: u.protocol, hostname: u.hostname, port: u.port ? Number(u.port) : undefined, path: u.pathname, query, headers, body: init.body })).headers;
  }
  delete headers.host; // fetch sends the same Host itself
  const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body, functionError: res.headers.get('x-amz-function-error') };
}

/**
 * GETs a platform URL: API Gateway endpoints signed (IAM authorization); internal load balancers,
 * which the pipeline's CodeBuild cannot reach, through the probe function in the platform's VPC.
 */
function requester(o, parameter, credentials) {
  const signer = (service) => new SignatureV4({ service, region: o.region, credentials, sha256: Sha256 });
  return async (url) => {
    const { hostname } = new URL(url);
    if (!INTERNAL_ALB.test(hostname)) return fetchJson(url, { method: 'GET', headers: { accept: 'application/json' } }, EXECUTE_API.test(hostname) ? signer('execute-api') : undefined);
    const fn = await parameter(`/cdk-mlops/${o.platform}/delivery/smoke-probe-function`);
    const base = (process.env.AWS_ENDPOINT_URL_LAMBDA ?? `https://lambda.${o.region}.amazonaws.com`).replace(/\/+$/, '');
    const res = await fetchJson(`${base}/2015-03-31/functions/${encodeURIComponent(fn)}/invocations`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) }, signer('lambda'));
    if (res.status !== 200 || res.functionError || res.body?.error) {
      throw new Error(`the smoke-test probe ${fn} could not GET ${url}: ${res.status} ${res.functionError ?? ''} ${JSON.stringify(res.body)}`);
    }
    let body;
    try { body = JSON.parse(res.body.body); } catch { body = res.body.body; }
    return { status: res.body.status, body };
  };
}

/** Runs `check` up to `attempts` times (a stage may still be settling), returning its last failure. */
async function withRetries(attempts, retryMs, check) {
  let failure;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, retryMs));
    try { return { detail: await check() }; } catch (e) { failure = e; }
  }
  return { failure };
}

async function main() {
  const o = options();
  const ssm = new SSMClient({ region: o.region });
  const dynamodb = new DynamoDBClient({ region: o.region });
  const parameter = async (name) => {
    try {
      return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter.Value;
    } catch (e) {
      throw new Error(`SSM parameter ${name} cannot be read (${e.name}: ${e.message}); is platform "${o.platform}" deployed in ${o.region}?`);
    }
  };
  const root = `/cdk-mlops/${o.platform}`;
  const get = requester(o, parameter, () => ssm.config.credentials());
  const checks = [['registry reachable', async () => {
    const table = await parameter(`${root}/registry/table-name`);
    try {
      await dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'smoke-test' }, sk: { S: 'smoke-test' } } }));
    } catch (e) {
      throw new Error(`GetItem on ${table} failed (${e.name}: ${e.message})`);
    }
    return `table ${table}`;
  }]];
  for (const m of o.models) {
    const endpoint = async () => (await parameter(`${root}/models/${m.name}/endpoint`)).replace(/\/+$/, '');
    checks.push([`${m.name}: prediction API health`, async () => {
      const url = `${await endpoint()}/health`;
      const res = await get(url);
      if (res.status !== 200 || res.body?.status !== 'ok') throw new Error(`GET ${url} answered ${res.status} ${JSON.stringify(res.body)}, expected 200 {"status":"ok"}`);
      return url;
    }]);
    checks.push([`${m.name}: prediction of ${m.entity}`, async () => {
      const url = `${await endpoint()}/v1/models/${encodeURIComponent(m.name)}/predictions/${encodeURIComponent(m.entity)}`;
      const res = await get(url);
      const a = res.body;
      if (res.status !== 200 || a?.model !== m.name || !SOURCES.includes(a?.source)) {
        throw new Error(`GET ${url} answered ${res.status} ${JSON.stringify(a)}, expected 200 with an answer of model ${m.name} and a source (${SOURCES.join(', ')})`);
      }
      if (m.known && a.source !== 'model') {
        throw new Error(`GET ${url} answered from "${a.source}"${a.reason ? ` (${a.reason})` : ''}, but ${m.entity} has a known prediction: expected source "model" (is a version promoted and its predictions loaded?)`);
      }
      return `source ${a.source}, version ${a.version ?? '-'}`;
    }]);
  }
  let failed = 0;
  for (const [name, check] of checks) {
    const { detail, failure } = await withRetries(o.attempts, o.retryMs, check);
    if (failure) failed++;
    process.stdout.write(failure ? `FAIL ${name}: ${failure.message}\n` : `ok   ${name} (${detail})\n`);
  }
  process.stdout.write(`${checks.length - failed}/${checks.length} checks passed for platform ${o.platform} in ${o.region}\n`);
  process.exitCode = failed ? 1 : 0;
}

await main();
