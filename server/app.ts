// The prediction server: a small node:http server on the shared predict core. No framework:
// every microsecond on the hot path is CPU that a 0.25-vCPU Fargate task does not have.
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { PREDICT_DEFAULTS } from '../lambda/shared/predict/constants';
import { PredictCore } from '../lambda/shared/predict/core';
import { routeRequest } from '../lambda/shared/predict/http';
import { AsyncJobs } from '../lambda/shared/predict/async-jobs';
import { ModelInvoker } from '../lambda/shared/predict/invoke';
import { RequestLog } from '../lambda/shared/predict/request-log';

export interface PredictionServerOptions {
  readonly core: PredictCore;
  /** Answers `:invoke` for the models answered in real time. @default - no model is answered in real time */
  readonly invoker?: ModelInvoker;
  /** Answers `:submit` and `jobs/{jobId}` (inference.async). @default - no model takes jobs */
  readonly jobs?: AsyncJobs;
  /** Called with unexpected errors (answered 500). @default console.error */
  readonly onError?: (e: unknown) => void;
  /** Structured lines for slow, rejected and non-model requests. @default - no request log */
  readonly requestLog?: RequestLog;
}

/** An HTTP server answering the prediction interface; call `listen` on it. */
export function createPredictionServer(options: PredictionServerOptions): Server {
  const onError = options.onError ?? ((e: unknown) => console.error(JSON.stringify({ level: 'ERROR', message: 'request failed', error: String((e as Error)?.stack ?? e) })));
  const server = createServer((req, res) => {
    // Once the server is closing (SIGTERM, see shutdown.ts), every answer closes its connection,
    // also for a request that arrived before: a kept-alive client then moves to another task
    // instead of sending more requests to this one.
    const answer = (status: number, body: unknown) => send(res, status, body, !server.listening);
    handle(options, req, answer).catch((e) => {
      onError(e);
      answer(500, { error: 'InternalError', message: 'the request failed unexpectedly; it was logged' });
    });
  });
  // Longer than the ALB idle timeout (60 s), so the load balancer closes idle connections first
  // and never sends a request on a socket the server is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 10_000;
  return server;
}

let requestCounter = 0;

async function handle({ core, invoker, jobs, requestLog }: PredictionServerOptions, req: IncomingMessage, answer: (status: number, body: unknown) => void): Promise<void> {
  const started = performance.now();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  let params: URLSearchParams | undefined;
  const query = (name: string) => {
    if (q < 0) return undefined;
    params ??= new URLSearchParams(url.slice(q + 1));
    return params.get(name) ?? undefined;
  };
  const method = req.method ?? 'GET';
  const body = method === 'POST' ? await readBody(req) : undefined;
  if (body === null) {
    answer(413, { error: 'PayloadTooLarge', message: `the request body is larger than ${PREDICT_DEFAULTS.maxBodyBytes} bytes: send at most ${PREDICT_DEFAULTS.maxBatchIds} ids per request` });
    return;
  }
  const out = await routeRequest(core, { method, path, query, body }, invoker, jobs);
  answer(out.status, out.body);
  if (requestLog && path !== '/health') {
    // The ALB's trace id correlates with its access logs; without one (local runs) a counter.
    const trace = req.headers['x-amzn-trace-id'];
    requestLog.record({ requestId: typeof trace === 'string' ? trace : `req-${++requestCounter}`, status: out.status, latencyMs: performance.now() - started, body: out.body });
  }
}

/** The body as text, or null when it exceeds the limit. */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > PREDICT_DEFAULTS.maxBodyBytes) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, closeConnection: boolean): void {
  if (res.headersSent) { res.end(); return; }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store',
    ...(closeConnection ? { connection: 'close' } : {}),
  });
  res.end(text);
}
