// Clients of composition steps: they send a JSON document and return the JSON object answered,
// whatever it holds (a step's answer is the next step's input, as in a SageMaker inference
// pipeline). Three targets: a URL under the serving contract (local processes, Fargate), a
// SageMaker endpoint (InvokeEndpoint), a Lambda function (Invoke). The two AWS calls are signed
// with the lean SigV4 signer, as the model client is, so the Lambda front end loads no SDK.
import { SERVING } from '../contract';
import { StepTarget } from './compose-config';
import { ModelCallError, RawResponse, Transport, invokeEndpointError, parseJson, sageMakerRuntimeEndpoint, withSlash } from './model-client';
import { Credentials, SigV4Signer } from './sigv4';

export interface StepClient {
  /** The step's answer (a JSON object); rejects with ModelCallError. */
  call(body: unknown, timeoutMs: number): Promise<Record<string, unknown>>;
  destroy(): void;
}

/** What the AWS clients need. */
export interface StepClientContext {
  readonly region: string;
  /** Returns current credentials (cached by the provider). */
  readonly credentials: () => Promise<Credentials>;
  /** @default the regional SageMaker runtime endpoint */
  readonly sageMakerEndpoint?: string;
  /** @default the regional Lambda endpoint */
  readonly lambdaEndpoint?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The client of one step target. */
export function stepClient(target: StepTarget, context: () => StepClientContext): StepClient {
  if (target.url !== undefined) return new HttpStepClient(target.url);
  const c = context();
  if (target.sageMakerEndpoint !== undefined) return new SageMakerStepClient(target.sageMakerEndpoint, c);
  return new LambdaStepClient(target.function!, c);
}

/** A step under the serving contract at a base URL: POST /invocations. */
export class HttpStepClient implements StepClient {
  private readonly transport: Transport;

  constructor(baseUrl: string) {
    this.transport = new Transport(new URL(SERVING.invocationsPath.slice(1), withSlash(baseUrl)));
  }

  async call(body: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
    const res = await this.transport.post(JSON.stringify(body), { 'content-type': 'application/json', accept: 'application/json' }, timeoutMs);
    if (res.status >= 400) throw new ModelCallError(res.status < 500 ? 'refused' : 'failed', `${this.transport.url.host} answered ${res.status}: ${res.text.slice(0, 200)}`, res.status);
    return object(res, this.transport.url.host);
  }

  destroy(): void { this.transport.destroy(); }
}

/** A step hosted on a SageMaker endpoint (InvokeEndpoint, SigV4). */
export class SageMakerStepClient implements StepClient {
  private readonly transport: Transport;
  private readonly signer: SigV4Signer;

  constructor(private readonly endpointName: string, private readonly context: StepClientContext) {
    const base = context.sageMakerEndpoint ?? sageMakerRuntimeEndpoint(context.region);
    this.transport = new Transport(new URL(`endpoints/${encodeURIComponent(endpointName)}/invocations`, withSlash(base)));
    this.signer = new SigV4Signer('sagemaker', context.region);
  }

  async call(body: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
    const res = await signedPost(this.transport, this.signer, this.context, JSON.stringify(body), timeoutMs);
    if (res.status >= 400) throw invokeEndpointError(this.endpointName, res);
    return object(res, `endpoint ${this.endpointName}`);
  }

  destroy(): void { this.transport.destroy(); }
}

/**
 * A Lambda function (Invoke, RequestResponse). The function returns the next document; an error
 * it throws (X-Amz-Function-Error) or the service refusing the call (throttled, not found, not
 * allowed) is a failure of the step, never of the input.
 */
export class LambdaStepClient implements StepClient {
  private readonly transport: Transport;
  private readonly signer: SigV4Signer;

  constructor(private readonly functionName: string, private readonly context: StepClientContext) {
    const base = context.lambdaEndpoint ?? `https://lambda.${context.region}.${context.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
    this.transport = new Transport(new URL(`2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`, withSlash(base)));
    this.signer = new SigV4Signer('lambda', context.region);
  }

  async call(body: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
    const res = await signedPost(this.transport, this.signer, this.context, JSON.stringify(body), timeoutMs);
    const functionError = res.headers['x-amz-function-error'];
    if (res.status >= 400 || functionError) {
      const e = parseJson(res.text) as { errorMessage?: string; message?: string; Message?: string } | undefined;
      throw new ModelCallError('failed', `function ${this.functionName} ${functionError ? `failed (${String(functionError)})` : `could not be invoked (${res.status} ${String(res.headers['x-amzn-errortype'] ?? '').split(':')[0]})`}: ${e?.errorMessage ?? e?.message ?? e?.Message ?? res.text.slice(0, 200)}`, res.status);
    }
    return object(res, `function ${this.functionName}`);
  }

  destroy(): void { this.transport.destroy(); }
}

async function signedPost(transport: Transport, signer: SigV4Signer, context: StepClientContext, body: string, timeoutMs: number): Promise<RawResponse> {
  const headers = signer.sign({
    method: 'POST', path: transport.url.pathname, body,
    headers: { accept: 'application/json', 'content-type': 'application/json', host: transport.url.host },
  }, await context.credentials(), (context.now ?? (() => new Date()))());
  return transport.post(body, headers, timeoutMs);
}

function object(res: RawResponse, who: string): Record<string, unknown> {
  const body = parseJson(res.text);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ModelCallError('failed', `${who} answered without a JSON object: ${res.text.slice(0, 200)}`);
  return body as Record<string, unknown>;
}
