import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { INGESTION_EVENTS, INGESTION_METRICS } from '../../lambda/shared/ingestion/constants';
import { DeliveryConfig, DeliveryDeps, DeliveryManifest, deliverWindow } from '../../lambda/shared/ingestion/deliver';
import { getText, listAll } from '../../lambda/shared/training/s3';
import { s3Client } from '../training-pipeline/harness';

const NOW = new Date('2026-11-29T12:05:00Z');
const WINDOW = { start: '2026-11-29T06:00:00.000Z', end: '2026-11-29T12:00:00.000Z' };
let n = 0;

/** Runs `fn` capturing what it writes to stdout (the EMF lines). */
async function captured<T>(fn: () => Promise<T>): Promise<{ result?: T; error?: unknown; emf: Array<Record<string, unknown>> }> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => { lines.push(String(chunk)); return true; });
  try {
    return { result: await fn(), emf: parse(lines) };
  } catch (error) {
    return { error, emf: parse(lines) };
  } finally {
    spy.mockRestore();
  }
}
const parse = (lines: string[]) => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

/** The datasets bucket answering with the `x-amz-version-id` a versioned bucket sends (s3rver has no versioning, TOOLING.md). */
function versionedS3(bucket: string): S3Client {
  const s3 = s3Client();
  let v = 0;
  s3.middlewareStack.add((next, context) => async (args) => {
    const out = await next(args);
    const res = out.response as { headers?: Record<string, string> };
    if (context.commandName === 'PutObjectCommand' && (args.input as { Bucket: string }).Bucket === bucket && res.headers) res.headers['x-amz-version-id'] = `v${++v}`;
    return out;
  }, { step: 'deserialize', priority: 'low', name: 'versionedBucketStandIn' });
  return s3;
}

async function setup(format: 'csv' | 'jsonl' = 'csv') {
  const id = `${process.pid}-${n++}`;
  const bucket = `ingest-data-${id}`;
  const s3 = versionedS3(bucket);
  const staging = `ingest-stage-${id}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new CreateBucketCommand({ Bucket: staging }));
  const config: DeliveryConfig = {
    model: 'demand', categories: ['books', 'toys'], bucket, location: 'demand/', stagingBucket: staging, stagingPrefix: 'ingest/demand/',
    timeZone: 'UTC', eventBusName: 'default',
    validation: { format, sampleRows: 1000, columns: [{ name: 'id', type: 'string' as never, nullable: false }, { name: 'units', type: 'integer' as never, nullable: false }] },
  };
  const sent: PutEventsCommand[] = [];
  // EventBridge stand-in: records the events (S3 is the real emulator).
  const deps: DeliveryDeps = { s3, events: { send: (async (c: PutEventsCommand) => { sent.push(c); return {}; }) as never }, now: () => NOW };
  const stage = (runId: string, category: string, file: string, body: string) =>
    s3.send(new PutObjectCommand({ Bucket: staging, Key: `ingest/demand/${runId}/${category}/${file}`, Body: body }));
  return { s3, config, deps, sent, stage, bucket };
}

const read = async (s3: S3Client, bucket: string, key: string) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString('utf8');

describe('deliverWindow against the S3 emulator', () => {
  test('validates, writes one part per category under the window\'s key, records a manifest with VersionIds and emits the data-arrival event', async () => {
    const t = await setup();
    await t.stage('run-1', 'books', 'a.csv', 'id,units\nb1,3\nb2,4\n');
    await t.stage('run-1', 'books', 'b.csv', 'id,units\nb3,5');
    await t.stage('run-1', 'toys', 'a.csv', 'id,units\nt1,1\n');
    const run = await captured(() => deliverWindow({ window: WINDOW, runId: 'run-1' }, t.config, t.deps));
    const m = run.result!;

    expect(await read(t.s3, t.bucket, 'demand/books/2026-11-29/0600-360m.csv')).toBe('id,units\nb1,3\nb2,4\nb3,5\n');
    expect(await read(t.s3, t.bucket, 'demand/toys/2026-11-29/0600-360m.csv')).toBe('id,units\nt1,1\n');
    expect(m.manifestKey).toBe('demand/_ingestion/2026-11-29/0600-360m.json');
    const manifest = JSON.parse((await getText(t.s3, t.bucket, m.manifestKey))!) as DeliveryManifest;
    expect(manifest).toMatchObject({ model: 'demand', window: WINDOW, runId: 'run-1', rows: 4, deliveredAt: NOW.toISOString() });
    expect(manifest.parts).toEqual([
      { category: 'books', key: 'demand/books/2026-11-29/0600-360m.csv', versionId: 'v1', rows: 3, bytes: Buffer.byteLength('id,units\nb1,3\nb2,4\nb3,5\n'), files: 2, problems: [] },
      { category: 'toys', key: 'demand/toys/2026-11-29/0600-360m.csv', versionId: 'v2', rows: 1, bytes: Buffer.byteLength('id,units\nt1,1\n'), files: 1, problems: [] },
    ]);
    expect(run.emf).toHaveLength(1);
    expect(run.emf[0]).toMatchObject({ Model: 'demand', [INGESTION_METRICS.rowsDelivered]: 4, [INGESTION_METRICS.emptyDeliveries]: 0 });
    expect(t.sent).toHaveLength(1);
    const entry = t.sent[0].input.Entries![0];
    expect(entry).toMatchObject({ Source: INGESTION_EVENTS.source, DetailType: INGESTION_EVENTS.dataArrived, EventBusName: 'default' });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ model: 'demand', categories: ['books', 'toys'], rows: 4, manifestKey: m.manifestKey });
  });

  test('a re-run of the window (another run id) overwrites that window\'s part only', async () => {
    const t = await setup('jsonl');
    await t.stage('run-1', 'books', 'x.jsonl', '{"id":"b1","units":1}\n');
    await t.stage('run-1', 'toys', 'x.jsonl', '{"id":"t1","units":1}\n');
    await captured(() => deliverWindow({ window: WINDOW, runId: 'run-1' }, t.config, t.deps));
    const next = { start: WINDOW.end, end: '2026-11-29T18:00:00.000Z' };
    await t.stage('run-2', 'books', 'x.jsonl', '{"id":"b9","units":9}\n');
    await captured(() => deliverWindow({ window: next, runId: 'run-2' }, t.config, t.deps));
    await t.stage('rerun', 'books', 'x.jsonl', '{"id":"b1","units":2}\n{"id":"b2","units":2}\n');
    await t.stage('rerun', 'toys', 'x.jsonl', '{"id":"t1","units":2}\n');
    const m = (await captured(() => deliverWindow({ window: WINDOW, runId: 'rerun' }, t.config, t.deps))).result!;

    const keys = (await listAll(t.s3, t.bucket, 'demand/')).map((o) => o.Key).sort();
    expect(keys).toEqual([
      'demand/_ingestion/2026-11-29/0600-360m.json', 'demand/_ingestion/2026-11-29/1200-360m.json',
      'demand/books/2026-11-29/0600-360m.jsonl', 'demand/books/2026-11-29/1200-360m.jsonl', 'demand/toys/2026-11-29/0600-360m.jsonl',
    ]);
    expect(await read(t.s3, t.bucket, 'demand/books/2026-11-29/0600-360m.jsonl')).toBe('{"id":"b1","units":2}\n{"id":"b2","units":2}\n');
    expect(await read(t.s3, t.bucket, 'demand/books/2026-11-29/1200-360m.jsonl')).toBe('{"id":"b9","units":9}\n');
    expect(m).toMatchObject({ runId: 'rerun', rows: 3 });
  });

  test('an empty delivery writes no part, says so in the manifest and the metric, and emits no event', async () => {
    const t = await setup();
    await t.stage('run-1', 'books', 'a.csv', 'id,units\n');
    const run = await captured(() => deliverWindow({ window: WINDOW, runId: 'run-1' }, t.config, t.deps));
    const m = run.result!;
    expect(m.rows).toBe(0);
    expect(m.parts.map((p) => p.key)).toEqual([undefined, undefined]);
    expect(run.emf[0]).toMatchObject({ [INGESTION_METRICS.emptyDeliveries]: 1 });
    expect(t.sent).toHaveLength(0);
    expect((await listAll(t.s3, t.bucket, 'demand/')).map((o) => o.Key)).toEqual(['demand/_ingestion/2026-11-29/0600-360m.json']);
  });

  test('a part that fails the schema checks is not written; the error names the category, the problem and the fix', async () => {
    const t = await setup();
    await t.stage('run-1', 'books', 'a.csv', 'id,units\nb1,many\n');
    await t.stage('run-1', 'toys', 'a.csv', 'id,units\nt1,1\n');
    const run = await captured(() => deliverWindow({ window: WINDOW, runId: 'run-1' }, t.config, t.deps));
    expect(String(run.error)).toMatch(/books: a\.csv line 2: "units" is "many", not a integer.*Fix the ingestion job's output/);
    expect(run.emf[0]).toMatchObject({ [INGESTION_METRICS.rowsDelivered]: 2 });
    const keys = (await listAll(t.s3, t.bucket, 'demand/')).map((o) => o.Key).sort();
    expect(keys).toEqual(['demand/_ingestion/2026-11-29/0600-360m.json', 'demand/toys/2026-11-29/0600-360m.csv']);
    expect(t.sent).toHaveLength(0);
  });
});
