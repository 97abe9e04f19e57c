// The model endpoint clients: SageMaker InvokeEndpoint signed like the SDK, against a local stub
// that answers like the SageMaker runtime and forwards to the example model's serve mode.
import { createHash, createHmac } from 'node:crypto';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { SERVING } from '../../lambda/shared/contract';
import { HttpModelClient, ModelCallError, SageMakerModelClient, sageMakerRuntimeEndpoint } from '../../lambda/shared/predict/model-client';
import { ModelServer, startModelServer } from '../../local/container/model-server';
import { MODEL_CODE_DIR, TrainedModel, trainExampleModel } from '../../local/container/example-model';

class Sha256 {
  private readonly h;
  constructor(secret?: unknown) {
    this.h = secret ? createHmac('sha256', secret as string) : createHash('sha256');
  }
  update(data: string | Uint8Array) { this.h.update(data); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'token/with+chars=' };

test.each([
  ['a plain endpoint name', 'demand-forecast-books'],
  ['a long endpoint name', 'a'.repeat(63)],
])('signs InvokeEndpoint exactly like the SDK SignatureV4 for %s', async (_, endpointName) => {
  const client = new SageMakerModelClient({ endpointName, region: 'eu-west-1', credentials: async () => credentials });
  const date = new Date('2026-11-24T10:20:30.000Z');
  const body = JSON.stringify({ features: { date: '2026-11-25' }, entityId: 'store-001' });
  const ours = client.signedHeaders(body, credentials, date);
  const hostname = new URL(sageMakerRuntimeEndpoint('eu-west-1')).host;
  expect(hostname).toBe('runtime.sagemaker.eu-west-1.amazonaws.com');
  const signer = new SignatureV4({ service: 'sagemaker', region: 'eu-west-1', credentials, sha256: Sha256 as never, applyChecksum: false });
  const signed = await signer.sign({
    method: 'POST', protocol: 'https:', hostname, path: `/endpoints/${endpointName}/invocations`, query: {},
    headers: { accept: 'application/json', 'content-type': 'application/json', host: hostname, 'x-amz-security-token': credentials.sessionToken },
    body,
  } as never, { signingDate: date });
  expect(ours.authorization).toBe((signed as unknown as { headers: Record<string, string> }).headers.authorization);
  client.destroy();
});

describe('against a local SageMaker runtime stub in front of the real model', () => {
  let trained: TrainedModel;
  let model: ModelServer;
  let stub: Server;
  let stubUrl: string;
  const seen: Array<{ path: string; authorization?: string; token?: string }> = [];
  /** The next answers the stub gives instead of forwarding: SageMaker's own errors. */
  const scripted: Array<{ status: number; headers?: Record<string, string>; body: unknown }> = [];

  beforeAll(async () => {
    trained = trainExampleModel();
    model = await startModelServer({ codeDir: MODEL_CODE_DIR, mlRoot: trained.mlRoot });
    stub = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        seen.push({ path: req.url ?? '', authorization: req.headers.authorization, token: req.headers['x-amz-security-token'] as string | undefined });
        const next = scripted.shift();
        if (next) {
          res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
          res.end(JSON.stringify(next.body));
          return;
        }
        const upstream = await fetch(`${model.url}${SERVING.invocationsPath}`, { method: 'POST', body: Buffer.concat(chunks) });
        const text = await upstream.text();
        if (upstream.status !== 200) {
          // InvokeEndpoint wraps a container's non-2xx answer in a ModelError.
          res.writeHead(424, { 'content-type': 'application/json', 'x-amzn-errortype': 'ModelError:http://internal.amazon.com/coral/com.amazonaws.sagemaker/' });
          res.end(JSON.stringify({ ErrorCode: 'CLIENT_ERROR_FROM_MODEL', OriginalStatusCode: upstream.status, OriginalMessage: text, message: `Received client error (${upstream.status}) from primary with message "${text}".` }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text);
      });
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', () => r()));
    stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => stub.close(r));
    await model.stop();
    trained.remove();
  });

  const client = () => new SageMakerModelClient({ endpointName: 'demand-forecast-books', region: 'eu-west-1', credentials: async () => credentials, endpoint: stubUrl });

  test('answers with the model\'s prediction, signed for sagemaker in the region, on the endpoint\'s path', async () => {
    const c = client();
    const direct = await new HttpModelClient(model.url).invoke({ features: { date: '2026-11-25' }, entityId: 'store-001' }, 5_000);
    expect(await c.invoke({ features: { date: '2026-11-25' }, entityId: 'store-001' }, 5_000)).toBe(direct);
    const last = seen[seen.length - 1];
    expect(last.path).toBe('/endpoints/demand-forecast-books/invocations');
    expect(last.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/sagemaker\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
    expect(last.token).toBe(credentials.sessionToken);
    c.destroy();
  });

  test('a ModelError for a refused input is "refused"; the runtime\'s own failures are "failed"', async () => {
    const c = client();
    const refused = await c.invoke({ features: {}, entityId: 'store-999' }, 5_000).catch((e: unknown) => e) as ModelCallError;
    expect(refused).toBeInstanceOf(ModelCallError);
    expect(refused.kind).toBe('refused');
    expect(refused.message).toMatch(/InvokeEndpoint of demand-forecast-books answered 424 ModelError \(the model answered 400\): Received client error \(400\)/);

    scripted.push({ status: 424, headers: { 'x-amzn-errortype': 'ModelError' }, body: { OriginalStatusCode: 500, message: 'model crashed' } });
    expect(await c.invoke({ features: {} }, 5_000).catch((e: ModelCallError) => e.kind)).toBe('failed');
    scripted.push({ status: 400, headers: { 'x-amzn-errortype': 'ValidationError' }, body: { message: 'Endpoint demand-forecast-books of account 1 not found.' } });
    expect(await c.invoke({ features: {} }, 5_000).catch((e: ModelCallError) => `${e.kind}: ${e.message}`)).toBe('failed: InvokeEndpoint of demand-forecast-books answered 400 ValidationError: Endpoint demand-forecast-books of account 1 not found.');
    scripted.push({ status: 200, body: { units: 3 } });
    expect(await c.invoke({ features: {} }, 5_000).catch((e: ModelCallError) => `${e.kind}: ${e.message}`)).toBe('failed: the model answered without a "prediction": {"units":3}');
    c.destroy();
  });
});

test('the HTTP client keeps a base URL\'s path and maps 4xx to "refused", 5xx to "failed"', async () => {
  const paths: string[] = [];
  const statuses = [400, 503];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(statuses.shift() ?? 200, { 'content-type': 'application/json' });
    res.end('{"error": "no"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const c = new HttpModelClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/models/demand`);
  try {
    expect(await c.invoke({ features: {} }, 5_000).catch((e: ModelCallError) => [e.kind, e.statusCode])).toEqual(['refused', 400]);
    expect(await c.invoke({ features: {} }, 5_000).catch((e: ModelCallError) => [e.kind, e.statusCode])).toEqual(['failed', 503]);
    expect(paths).toEqual(['/models/demand/invocations', '/models/demand/invocations']);
  } finally {
    c.destroy();
    await new Promise((r) => server.close(r));
  }
});
