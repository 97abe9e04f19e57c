// The HTTP interface of both front ends, independent of the transport (node:http or API
// Gateway events):
//   GET  /v1/models/{model}/predictions/{entityId}?category=...
//   POST /v1/models/{model}/predictions:batchGet   {"category"?: "...", "entityIds": ["..."]}
//   POST /v1/models/{model}/predictions:invoke     {"features": {...}, "entityId"?: "...", "category"?: "..."}
//   POST /v1/models/{model}/predictions:submit     the same body -> 202 {"jobId", ...}  (async-jobs.ts)
//   GET  /v1/models/{model}/jobs/{jobId}
//   GET  /health
// Bad input -> 400 with the reason; unknown model -> 404; a missing prediction is a 200
// fallback answer.
import { AsyncJobs } from './async-jobs';
import { PREDICT_DEFAULTS } from './constants';
import { Answer, PredictCore, PredictRequestError } from './core';
import { ModelInvoker } from './invoke';

export interface HttpRequest {
  readonly method: string;
  /** Path without the query string, URL-encoded as received. */
  readonly path: string;
  readonly query: (name: string) => string | undefined;
  readonly body?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface BatchGetResponse {
  readonly model: string;
  readonly category: string;
  readonly answers: Answer[];
}

const PREFIX = '/v1/models/';

/** Answers one request; `invoker` answers `:invoke`, `jobs` answers `:submit` and `jobs/{jobId}` (each: without one, none). */
export async function routeRequest(core: PredictCore, req: HttpRequest, invoker?: ModelInvoker, jobs?: AsyncJobs): Promise<HttpResponse> {
  try {
    if (req.path === '/health' || req.path === '/ping') {
      return req.method === 'GET' || req.method === 'HEAD' ? { status: 200, body: { status: 'ok' } } : methodNotAllowed(req.method, 'GET');
    }
    if (!req.path.startsWith(PREFIX)) return notFound(req.path);
    const rest = req.path.slice(PREFIX.length).split('/');
    if (rest.length === 3 && rest[1] === 'predictions') {
      if (req.method !== 'GET') return methodNotAllowed(req.method, 'GET');
      const answer = await core.predict(decode(rest[0], 'model'), req.query('category'), decode(rest[2], 'entityId'));
      return { status: 200, body: answer };
    }
    if (rest.length === 2 && rest[1] === 'predictions:batchGet') {
      if (req.method !== 'POST') return methodNotAllowed(req.method, 'POST');
      const model = decode(rest[0], 'model');
      const { category, entityIds } = parseBatchBody(req.body, req.query('category'));
      const answers = await core.predictMany(model, category, entityIds);
      const body: BatchGetResponse = { model, category: answers[0].category, answers };
      return { status: 200, body };
    }
    if (rest.length === 2 && rest[1] === 'predictions:invoke') {
      if (req.method !== 'POST') return methodNotAllowed(req.method, 'POST');
      const model = decode(rest[0], 'model');
      const body = parseJsonObject(req.body, '{"features": {...}, "entityId"?: "...", "category"?: "..."}', 'send a smaller features object');
      if (!invoker) throw new PredictRequestError(404, `model ${model} is not answered in real time here: use GET /v1/models/${model}/predictions/{entityId}`);
      return { status: 200, body: await invoker.invoke(model, body) };
    }
    if ((rest.length === 2 && rest[1] === 'predictions:submit') || (rest.length === 3 && rest[1] === 'jobs')) {
      const submit = rest.length === 2;
      if (req.method !== (submit ? 'POST' : 'GET')) return methodNotAllowed(req.method, submit ? 'POST' : 'GET');
      const model = decode(rest[0], 'model');
      if (!jobs) throw new PredictRequestError(404, `model ${model} takes no jobs here (its spec has no inference.async)`);
      if (!submit) return { status: 200, body: await jobs.get(model, decode(rest[2], 'jobId')) };
      const body = parseJsonObject(req.body, '{"features": {...}, "entityId"?: "...", "category"?: "..."}', 'send a smaller features object');
      return { status: 202, body: await jobs.submit(model, body, Buffer.byteLength(req.body!)) };
    }
    return notFound(req.path);
  } catch (e) {
    if (e instanceof PredictRequestError) return { status: e.status, body: { error: e.status === 404 ? 'NotFound' : 'BadRequest', message: e.message } };
    throw e;
  }
}

/** The body as a JSON object; 400 with the expected shape otherwise. */
function parseJsonObject(raw: string | undefined, shape: string, tooLargeFix: string): Record<string, unknown> {
  if (raw === undefined || raw === '') throw bad(`the request body is empty: send ${shape}`);
  if (Buffer.byteLength(raw) > PREDICT_DEFAULTS.maxBodyBytes) throw bad(`the request body is larger than ${PREDICT_DEFAULTS.maxBodyBytes} bytes: ${tooLargeFix}`);
  let body: unknown;
  try { body = JSON.parse(raw); } catch (e) {
    throw bad(`the request body is not valid JSON (${(e as Error).message}): send ${shape}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad(`the request body must be an object ${shape}`);
  return body as Record<string, unknown>;
}

function parseBatchBody(raw: string | undefined, queryCategory: string | undefined): { category?: string; entityIds: string[] } {
  const { entityIds, category } = parseJsonObject(raw, '{"entityIds": ["id-1", "id-2"], "category"?: "..."}', `send at most ${PREDICT_DEFAULTS.maxBatchIds} ids per request`);
  if (!Array.isArray(entityIds) || entityIds.length === 0 || entityIds.length > PREDICT_DEFAULTS.maxBatchIds) {
    const got = Array.isArray(entityIds) ? `${entityIds.length} ids were sent` : `${JSON.stringify(entityIds) ?? 'nothing'} was sent`;
    throw bad(`entityIds must be a list of 1 to ${PREDICT_DEFAULTS.maxBatchIds} ids, but ${got}`);
  }
  if (category !== undefined && typeof category !== 'string') throw bad(`category must be a string, but ${JSON.stringify(category)} was sent`);
  return { category: category ?? queryCategory, entityIds: entityIds as string[] };
}

function decode(segment: string, field: string): string {
  try { return decodeURIComponent(segment); } catch {
    throw bad(`${field} ${JSON.stringify(segment)} is not valid URL encoding`);
  }
}

const bad = (message: string) => new PredictRequestError(400, message);
const notFound = (path: string): HttpResponse => ({
  status: 404,
  body: { error: 'NotFound', message: `no route for ${path}: use GET /v1/models/{model}/predictions/{entityId}, POST /v1/models/{model}/predictions:batchGet, POST /v1/models/{model}/predictions:invoke, POST /v1/models/{model}/predictions:submit or GET /v1/models/{model}/jobs/{jobId}` },
});
const methodNotAllowed = (method: string, allowed: string): HttpResponse => ({
  status: 405, body: { error: 'MethodNotAllowed', message: `${method} is not allowed here: use ${allowed}` },
});
