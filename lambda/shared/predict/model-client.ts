// Clients of a real-time model endpoint under the serving contract (POST /invocations with
// {"features", "entityId"?} -> {"prediction"}): plain HTTP to a model service the platform hosts
// (Fargate behind an internal load balancer, or a local process), or SageMaker's InvokeEndpoint,
// signed with the lean SigV4 signer (the SDK client would cost the Lambda front end its cold
// start). Both keep connections alive and enforce one deadline per call.
import { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { SERVING } from '../contract';
import { Credentials, SigV4Signer } from './sigv4';

/** What the front end sends the model. */
export interface ModelInput {
  readonly features: Readonly<Record<string, unknown>>;
  readonly entityId?: string;
}

/**
 * Why a call gave no prediction: `refused` (the model answered 4xx: the input, not the model, is
 * at fault), `failed` (5xx, a broken answer or no connection) or `timeout` (the deadline passed).
 */
export type ModelCallFailure = 'refused' | 'failed' | 'timeout';

export class ModelCallError extends Error {
  constructor(readonly kind: ModelCallFailure, message: string, readonly statusCode?: number) {
    super(message);
    this.name = 'ModelCallError';
  }
}

export interface ModelClient {
  /** The model's prediction (any JSON value); rejects with ModelCallError. */
  invoke(input: ModelInput, timeoutMs: number): Promise<unknown>;
  /** Closes idle connections. */
  destroy(): void;
}

/** A model service under the serving contract at a base URL (e.g. http://model.internal:8080). */
export class HttpModelClient implements ModelClient {
  private readonly transport: Transport;

  constructor(baseUrl: string) {
    this.transport = new Transport(new URL(SERVING.invocationsPath.slice(1), withSlash(baseUrl)));
  }

  async invoke(input: ModelInput, timeoutMs: number): Promise<unknown> {
    const res = await this.transport.post(JSON.stringify(input), { 'content-type': 'application/json', accept: 'application/json' }, timeoutMs);
    if (res.status >= 400) throw new ModelCallError(res.status < 500 ? 'refused' : 'failed', `the model answered ${res.status}: ${res.text.slice(0, 200)}`, res.status);
    return prediction(res.text);
  }

  destroy(): void {
    this.transport.destroy();
  }
}

export interface SageMakerModelClientOptions {
  readonly endpointName: string;
  readonly region: string;
  /** Returns current credentials; called per request, so it must cache (the SDK providers do). */
  readonly credentials: () => Promise<Credentials>;
  /** @default https://runtime.sagemaker.<region>.amazonaws.com (AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME in the runtime) */
  readonly endpoint?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** SageMaker runtime InvokeEndpoint of a real-time endpoint, signed with SigV4. */
export class SageMakerModelClient implements ModelClient {
  private readonly transport: Transport;
  private readonly signer: SigV4Signer;
  private readonly now: () => Date;

  constructor(private readonly options: SageMakerModelClientOptions) {
    const base = options.endpoint ?? sageMakerRuntimeEndpoint(options.region);
    this.transport = new Transport(new URL(`endpoints/${encodeURIComponent(options.endpointName)}/invocations`, withSlash(base)));
    this.signer = new SigV4Signer('sagemaker', options.region);
    this.now = options.now ?? (() => new Date());
  }

  /** The signed headers of a call; exposed for the signer test. */
  signedHeaders(body: string, credentials: Credentials, date: Date): Record<string, string> {
    return this.signer.sign({
      method: 'POST', path: this.transport.url.pathname, body,
      headers: { accept: 'application/json', 'content-type': 'application/json', host: this.transport.url.host },
    }, credentials, date);
  }

  async invoke(input: ModelInput, timeoutMs: number): Promise<unknown> {
    const body = JSON.stringify(input);
    const res = await this.transport.post(body, this.signedHeaders(body, await this.options.credentials(), this.now()), timeoutMs);
    if (res.status >= 400) throw invokeEndpointError(this.options.endpointName, res);
    return prediction(res.text);
  }

  destroy(): void {
    this.transport.destroy();
  }
}

/** The error of an InvokeEndpoint call that answered >= 400. */
export function invokeEndpointError(endpointName: string, res: RawResponse): ModelCallError {
  // ModelError (424): the container answered non-2xx; its own status says whose fault it was.
  const error = parseJson(res.text) as { OriginalStatusCode?: number; message?: string; Message?: string } | undefined;
  const original = res.status === 424 ? error?.OriginalStatusCode : undefined;
  const refused = original !== undefined && original >= 400 && original < 500;
  const type = res.headers['x-amzn-errortype'];
  return new ModelCallError(refused ? 'refused' : 'failed', `InvokeEndpoint of ${endpointName} answered ${res.status}${type ? ` ${String(type).split(':')[0]}` : ''}${original ? ` (the model answered ${original})` : ''}: ${error?.message ?? error?.Message ?? res.text.slice(0, 200)}`, res.status);
}

/** The regional SageMaker runtime endpoint. */
export function sageMakerRuntimeEndpoint(region: string): string {
  return `https://runtime.sagemaker.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

export interface RawResponse { status: number; headers: IncomingMessage['headers']; text: string }

/** One keep-alive connection pool to one URL, a deadline per request. */
export class Transport {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly send: typeof httpRequest;

  constructor(readonly url: URL) {
    const https = url.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: 256, noDelay: true };
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = (https ? httpsRequest : httpRequest) as typeof httpRequest;
  }

  post(body: string, headers: Record<string, string>, timeoutMs: number): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (e: ModelCallError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
      };
      const req = this.send({
        protocol: this.url.protocol, hostname: this.url.hostname, port: this.url.port || undefined, path: this.url.pathname,
        method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: this.agent,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => fail(new ModelCallError('failed', `the model's answer broke off: ${e.message}`)));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      // The socket is dropped at the deadline: a late answer can never arrive on it.
      const timer = setTimeout(() => {
        fail(new ModelCallError('timeout', `the model did not answer within ${timeoutMs} ms`));
        req.destroy();
      }, timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => fail(new ModelCallError('failed', `the model could not be reached at ${this.url.host}: ${e.code ?? e.message}`)));
      req.end(body);
    });
  }

  destroy(): void {
    this.agent.destroy();
  }
}

function prediction(text: string): unknown {
  const body = parseJson(text);
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('prediction' in body)) {
    throw new ModelCallError('failed', `the model answered without a "prediction": ${text.slice(0, 200)}`);
  }
  return (body as { prediction: unknown }).prediction;
}

export function parseJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return undefined; }
}

export const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);
