// A lean DynamoDB reader for the prediction hot path: GetItem and BatchGetItem over a keep-alive
// connection, signed with SigV4, with one deadline per attempt.
//
// Why not the SDK client here: profiling the server at 1000 req/s (bench/README.md) showed the
// SDK v3 middleware stack (endpoint rule engine, user agent, retry, serde) costing most of the
// server's CPU per request, which on a 0.25-1 vCPU task is latency. This reader does only
// what two read calls need; credentials come from credentials.ts (the Lambda environment, or the
// SDK's chain loaded on first use), region and endpoint from AWS_REGION and
// AWS_ENDPOINT_URL_DYNAMODB, and the signer
// (sigv4.ts) is tested against the SDK's SignatureV4 byte for byte.
import { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Credentials, SigV4Signer } from './sigv4';

export type { Credentials } from './sigv4';

export interface DynamoReaderOptions {
  /** e.g. https://dynamodb.eu-west-1.amazonaws.com or http://127.0.0.1:8000 */
  readonly endpoint: string;
  readonly region: string;
  /** Returns current credentials; called per request, so it must cache (the SDK providers do). */
  readonly credentials: () => Promise<Credentials>;
  /** Deadline of one request, in milliseconds. */
  readonly timeoutMs: number;
  /** Clock, for tests. @default () => new Date() */
  readonly now?: () => Date;
}

/** An error answered by DynamoDB (name = the exception type) or a transport failure. */
export class DynamoError extends Error {
  constructor(name: string, message: string, readonly statusCode?: number) {
    super(message);
    this.name = name;
  }
  get retryable(): boolean {
    return this.statusCode === undefined || this.statusCode >= 500
      || ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'].includes(this.name);
  }
}

const SERVICE = 'dynamodb';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

export class DynamoReader {
  private readonly url: URL;
  private readonly host: string;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly send: typeof httpRequest;
  private readonly now: () => Date;
  private readonly signer: SigV4Signer;

  constructor(private readonly options: DynamoReaderOptions) {
    this.url = new URL(options.endpoint);
    this.host = this.url.host;
    const https = this.url.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: 256, noDelay: true };
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = (https ? httpsRequest : httpRequest) as typeof httpRequest;
    this.now = options.now ?? (() => new Date());
    this.signer = new SigV4Signer(SERVICE, options.region);
  }

  /** GetItem by string key attributes; undefined when there is no item. */
  async getItem(tableName: string, key: Record<string, string>, options: { consistentRead?: boolean } = {}): Promise<Record<string, unknown> | undefined> {
    const res = await this.call('GetItem', { TableName: tableName, Key: marshallKey(key), ...(options.consistentRead ? { ConsistentRead: true } : {}) }) as { Item?: Record<string, never> };
    return res.Item ? unmarshall(res.Item) : undefined;
  }

  /** BatchGetItem of up to 100 string keys; returns the items found and the unprocessed keys. */
  async batchGetItem(tableName: string, keys: ReadonlyArray<Record<string, string>>): Promise<{ items: Array<Record<string, unknown>>; unprocessed: Array<Record<string, string>> }> {
    const res = await this.call('BatchGetItem', { RequestItems: { [tableName]: { Keys: keys.map(marshallKey) } } }) as {
      Responses?: Record<string, Array<Record<string, never>>>;
      UnprocessedKeys?: Record<string, { Keys?: Array<Record<string, never>> }>;
    };
    return {
      items: (res.Responses?.[tableName] ?? []).map((i) => unmarshall(i)),
      unprocessed: (res.UnprocessedKeys?.[tableName]?.Keys ?? []).map((k) => unmarshall(k) as Record<string, string>),
    };
  }

  /** The signed headers of a request; exposed for the signer test. */
  signedHeaders(target: string, body: string, credentials: Credentials, date: Date): Record<string, string> {
    return this.signer.sign({
      method: 'POST', path: this.url.pathname || '/', body,
      headers: { 'content-type': CONTENT_TYPE, host: this.host, 'x-amz-target': `DynamoDB_20120810.${target}` },
    }, credentials, date);
  }

  /** Closes idle connections. */
  destroy(): void {
    this.agent.destroy();
  }

  private async call(target: string, payload: unknown): Promise<unknown> {
    const body = JSON.stringify(payload);
    const headers = this.signedHeaders(target, body, await this.options.credentials(), this.now());
    headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = this.send({
        protocol: this.url.protocol, hostname: this.url.hostname, port: this.url.port || undefined,
        path: this.url.pathname || '/', method: 'POST', headers, agent: this.agent,
      }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> | undefined;
          try { parsed = text ? JSON.parse(text) : {}; } catch { /* not JSON: reported below */ }
          if (res.statusCode === 200 && parsed) { resolve(parsed); return; }
          const type = String(parsed?.__type ?? `HTTP${res.statusCode}`);
          reject(new DynamoError(type.slice(type.lastIndexOf('#') + 1), String(parsed?.message ?? parsed?.Message ?? text.slice(0, 200)), res.statusCode));
        });
      });
      const timer = setTimeout(() => req.destroy(new DynamoError('TimeoutError', `${target} took longer than ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      function fail(e: Error) {
        clearTimeout(timer);
        reject(e instanceof DynamoError ? e : new DynamoError((e as NodeJS.ErrnoException).code ?? 'NetworkingError', e.message));
      }
      req.on('error', fail);
      req.end(body);
    });
  }
}

function marshallKey(key: Record<string, string>): Record<string, { S: string }> {
  const out: Record<string, { S: string }> = {};
  for (const [k, v] of Object.entries(key)) out[k] = { S: v };
  return out;
}
