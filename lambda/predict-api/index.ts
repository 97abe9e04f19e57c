// PredictionApi handler: API Gateway (HTTP API payload 2.0 or REST API proxy 1.0) -> the shared
// predict core. Answer counters are written as EMF lines once per invocation.
import { writeEmf } from '../shared/emf';
import { AnswerMetrics } from '../shared/predict/metrics';
import { routeRequest } from '../shared/predict/http';
import { PredictCore } from '../shared/predict/core';
import { AsyncJobs } from '../shared/predict/async-jobs';
import { ModelInvoker } from '../shared/predict/invoke';
import { RequestLog } from '../shared/predict/request-log';
import { FrontEnd, frontEndFromEnv } from '../shared/predict/runtime';

/** The fields of API Gateway proxy events (v1 REST and v2 HTTP API) the handler reads. */
export interface ApiEvent {
  readonly rawPath?: string;
  readonly path?: string;
  readonly httpMethod?: string;
  readonly requestContext?: { readonly requestId?: string; readonly http?: { readonly method?: string } };
  readonly queryStringParameters?: Record<string, string | undefined> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

export interface ApiResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Answers one API Gateway event with the given core (and invoker, for `:invoke`). */
export async function predictApi(core: PredictCore, event: ApiEvent, requestLog?: RequestLog, invoker?: ModelInvoker, jobs?: AsyncJobs): Promise<ApiResult> {
  const started = performance.now();
  const body = event.body == null ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    const out = await routeRequest(core, {
      method: event.requestContext?.http?.method ?? event.httpMethod ?? 'GET',
      path: event.rawPath ?? event.path ?? '/',
      query: (name) => event.queryStringParameters?.[name] ?? undefined,
      body,
    }, invoker, jobs);
    requestLog?.record({ requestId: event.requestContext?.requestId ?? 'unknown', status: out.status, latencyMs: performance.now() - started, body: out.body });
    return { statusCode: out.status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(out.body) };
  } catch (e) {
    console.error(JSON.stringify({ level: 'ERROR', message: 'request failed', error: String((e as Error)?.stack ?? e) }));
    return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'InternalError', message: 'the request failed unexpectedly; it was logged' }) };
  }
}

const metrics = new AnswerMetrics();
const requestLog = new RequestLog({ service: 'predict-api' });
let frontEnd: FrontEnd | undefined;

export async function handler(event: ApiEvent): Promise<ApiResult> {
  // Built on first use and kept across invocations: its caches live as long as the sandbox.
  frontEnd ??= frontEndFromEnv({
    onAnswer: (a) => metrics.record(a),
    onStoreError: (model, category) => metrics.storeError(model, category),
    onProductionError: (model, category) => metrics.productionError(model, category),
  });
  try {
    return await predictApi(frontEnd.core, event, requestLog, frontEnd.invoker, frontEnd.jobs);
  } finally {
    writeEmf(metrics.flush());
  }
}
