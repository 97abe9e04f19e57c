// The HTTP source of the fetch function: a node:http server on loopback as the endpoint, the
// secret from a Secrets Manager stub through the real client, staging on the S3 emulator.
import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fetchWindow } from '../../lambda/ingestion-fetch';
import { FetchConfig, SOURCE_LIMITS, expandUrl, sourceUrlProblem } from '../../lambda/shared/ingestion/source';
import { getText, listAll } from '../../lambda/shared/training/s3';
import { s3Client } from '../training-pipeline/harness';
import { SecretsManagerStub } from './secrets-manager-stub';

const WINDOW = { start: '2026-11-29T06:00:00.000Z', end: '2026-11-29T12:00:00.000Z' };
type Answer = { status?: number; body?: string; headers?: Record<string, string>; hang?: boolean; chunks?: number };

let server: Server;
let base: string;
let secrets: SecretsManagerStub;
let answers: Record<string, Answer> = {};
let requests: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
let n = 0;

beforeAll(async () => {
  secrets = await SecretsManagerStub.start();
  server = createServer((req, res) => {
    requests.push({ url: req.url!, headers: req.headers });
    const a = answers[req.url!.split('?')[0]] ?? { status: 404, body: 'no such export' };
    if (a.hang) return; // never answers
    res.writeHead(a.status ?? 200, a.headers ?? {});
    // A body sent in many chunks without a Content-Length (chunked encoding).
    if (a.chunks) { for (let i = 0; i < a.chunks; i++) res.write(a.body ?? ''); res.end(); return; }
    res.end(a.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await secrets.close();
});
beforeEach(() => { answers = {}; requests = []; });

async function setup(http: Partial<FetchConfig['http']> & { url: string }, limits = SOURCE_LIMITS) {
  const bucket = `fetch-http-${process.pid}-${n++}`;
  const s3 = s3Client();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const config: FetchConfig = {
    model: 'demand', categories: ['books', 'toys'], format: 'jsonl', stagingBucket: bucket, stagingPrefix: 'runs/demand/_ingestion/', limits,
    http: { header: 'Authorization', ...http },
  };
  const client = new SecretsManagerClient({ endpoint: secrets.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const deps = { source: s3, staging: s3, secrets: client, fetch };
  const keys = async () => (await listAll(s3, bucket, '')).map((o) => o.Key).sort();
  return { s3, bucket, config, deps, keys };
}

describe('the HTTP source', () => {
  test('one GET per category with {category}, {start} and {end} URL-encoded and the secret in the header; the body is the category\'s file', async () => {
    secrets.secrets.set('demand/partner-token', 'Bearer s3cr3t');
    answers['/export/books'] = { body: '{"id":"b1","units":3}\n' };
    answers['/export/toys'] = { body: '' };
    const t = await setup({ url: `${base}/export/{category}?from={start}&to={end}`, secretId: 'demand/partner-token' });

    const result = await fetchWindow({ window: WINDOW, runId: 'run-1' }, t.config, t.deps);

    expect(requests.map((r) => r.url)).toEqual([
      '/export/books?from=2026-11-29T06%3A00%3A00.000Z&to=2026-11-29T12%3A00%3A00.000Z',
      '/export/toys?from=2026-11-29T06%3A00%3A00.000Z&to=2026-11-29T12%3A00%3A00.000Z',
    ]);
    expect(requests.map((r) => r.headers.authorization)).toEqual(['Bearer s3cr3t', 'Bearer s3cr3t']);
    expect(secrets.requested).toEqual(['demand/partner-token']);
    // An empty answer is a window without data: nothing staged for toys.
    expect(await t.keys()).toEqual(['runs/demand/_ingestion/run-1/_source.json', 'runs/demand/_ingestion/run-1/books/books.jsonl']);
    expect(await getText(t.s3, t.bucket, 'runs/demand/_ingestion/run-1/books/books.jsonl')).toBe('{"id":"b1","units":3}\n');
    expect(result).toMatchObject({ files: 1, categories: { books: 1, toys: 0 } });
    // The record keeps the URL without its query.
    expect(JSON.parse((await getText(t.s3, t.bucket, result.recordKey))!).files[0]).toMatchObject({ url: `${base}/export/books`, status: 200 });
  });

  test('a JSON secret {"header", "value"} names its own header; without a secret no header is sent', async () => {
    secrets.secrets.set('partner-key', JSON.stringify({ header: 'X-Api-Key', value: 'k-123' }));
    answers['/books.jsonl'] = { body: '{"id":"b1"}\n' };
    answers['/toys.jsonl'] = { body: '{"id":"t1"}\n' };
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:partner-key-AbCdEf';
    const withKey = await setup({ url: `${base}/{category}.jsonl`, secretId: arn });
    await fetchWindow({ window: WINDOW, runId: 'r' }, withKey.config, withKey.deps);
    expect(requests.map((r) => [r.headers['x-api-key'], r.headers.authorization])).toEqual([['k-123', undefined], ['k-123', undefined]]);

    requests = [];
    const open = await setup({ url: `${base}/{category}.jsonl` });
    await fetchWindow({ window: WINDOW, runId: 'r' }, open.config, open.deps);
    expect(requests.map((r) => r.headers.authorization ?? r.headers['x-api-key'])).toEqual([undefined, undefined]);
  });

  test('a JSON secret without "header" and "value" is refused before any request, with the format to store', async () => {
    secrets.secrets.set('rds-style', JSON.stringify({ username: 'u', password: 'p' }));
    const t = await setup({ url: `${base}/{category}`, secretId: 'rds-style' });
    await expect(fetchWindow({ window: WINDOW, runId: 'r' }, t.config, t.deps)).rejects.toThrow(/secret rds-style is a JSON object without string "header" and "value": store \{"header": "Authorization", "value": "Bearer \.\.\."\}/);
    expect(requests).toEqual([]);
  });

  test.each([
    [{ status: 503, body: 'maintenance' }, /category books \(GET http:\/\/127\.0\.0\.1:\d+\/books\) answered HTTP 503: the window failed; fix the source and re-run it/],
    [{ status: 302, headers: { location: 'http://example.com/elsewhere' } }, /answered HTTP 302 \(redirects are not followed: give the final URL\)/],
  ])('a non-2xx answer %j fails the run naming the status and the category', async (answer, message) => {
    answers['/books'] = answer;
    const t = await setup({ url: `${base}/{category}` });
    await expect(fetchWindow({ window: WINDOW, runId: 'r' }, t.config, t.deps)).rejects.toMatchObject({ name: 'HttpSourceError', message: expect.stringMatching(message) });
    expect(await t.keys()).toEqual([]);
  });

  test('the byte limit holds for the run, with or without a Content-Length', async () => {
    const limits = { ...SOURCE_LIMITS, maxBytes: 100 };
    answers['/books'] = { body: 'x'.repeat(60) };
    answers['/toys'] = { body: 'y'.repeat(60) };
    const declared = await setup({ url: `${base}/{category}` }, limits);
    // books fits (60 of 100), toys declares 60 more.
    await expect(fetchWindow({ window: WINDOW, runId: 'r' }, declared.config, declared.deps)).rejects.toMatchObject({
      name: 'SourceLimitExceeded', message: expect.stringMatching(/^category toys \(GET .*\/toys\): the response \(60 bytes or more\) goes past one run's limit of 100 bytes, all categories together: ingest more often/),
    });
    answers['/books'] = { body: 'z'.repeat(10), chunks: 20 };
    const streamed = await setup({ url: `${base}/{category}` }, limits);
    await expect(fetchWindow({ window: WINDOW, runId: 'r' }, streamed.config, streamed.deps)).rejects.toMatchObject({ name: 'SourceLimitExceeded', message: expect.stringContaining('category books') });
    expect(await streamed.keys()).toEqual([]);
  });

  test('a request that takes longer than the timeout fails the run naming the category', async () => {
    answers['/books'] = { hang: true };
    const t = await setup({ url: `${base}/{category}` }, { ...SOURCE_LIMITS, requestTimeoutMs: 200 });
    await expect(fetchWindow({ window: WINDOW, runId: 'r' }, t.config, t.deps)).rejects.toThrow(/category books \(GET .*\/books\) took longer than 0.2 s/);
  });

  test('an endpoint that refuses the connection fails the run naming the category, the URL and why', async () => {
    // A port that was just free: nothing listens on it.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const t = await setup({ url: `http://127.0.0.1:${port}/export/{category}?from={start}` });
    await expect(fetchWindow({ window: WINDOW, runId: 'r' }, t.config, t.deps))
      .rejects.toThrow(new RegExp(`category books \\(GET http://127.0.0.1:${port}/export/books\\) could not be reached \\(ECONNREFUSED\\)`));
    expect(await t.keys()).toEqual([]);
  });
});

describe('source URLs', () => {
  test.each([
    ['https://api.example.com/export/{category}?from={start}&to={end}', undefined],
    ['http://127.0.0.1:8080/{category}', undefined],
    ['http://localhost/{category}', undefined],
    ['http://[::1]:9000/x', undefined],
    ['http://api.example.com/export', 'an https:// URL (plain http only to a loopback host, for tests)'],
    ['ftp://files.example.com/x', 'an https:// URL, not ftp:'],
    ['https://user:pw@api.example.com/x', 'a URL without credentials (put them in the secret)'],
    ['https://api.example.com/{date}', 'only the placeholders {category}, {start}, {end} (found {date})'],
    ['/relative/{category}', 'an absolute URL such as "https://api.example.com/export?from={start}&to={end}"'],
  ])('%s -> %s', (url, problem) => {
    expect(sourceUrlProblem(url)).toBe(problem);
  });

  test('placeholder values are URL-encoded, so a value cannot change the host or the path', () => {
    expect(expandUrl('https://h/{category}/x?s={start}', { category: 'a/b@c', start: '2026-01-01T00:00:00.000Z', end: '' })).toBe('https://h/a%2Fb%40c/x?s=2026-01-01T00%3A00%3A00.000Z');
  });
});
