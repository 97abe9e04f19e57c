// Issue 16 §4: `mlops data put` uploads where the model's runs read (<data.location><category>/<date>/
// in the datasets bucket, the date today in the schedule's time zone unless given), and
// `mlops data ls` lists the date folders a run started now would see. Against the S3 emulator.
// `mlops validate <model> --data` runs the pipeline's data checks on local files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { dateInZone } from '../../lambda/shared/training/plan';
import { listAll } from '../../lambda/shared/training/s3';
import { s3Endpoint } from '../support/endpoints';
import { run } from './support';

const TZ = 'Pacific/Auckland'; // far from UTC, so "today in the schedule's zone" differs from UTC's
const spec = {
  description: 'Churn risk per customer', owner: 'ds@example.com',
  schedule: { cron: '0 2 * * 1', timeZone: TZ },
  categories: ['books', 'garden'],
  data: { location: 'churn/', format: 'csv', schema: [{ name: 'customer', type: 'string' }, { name: 'spend', type: 'number' }], maxAge: '1d', minRows: 2 },
  training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1' },
  evaluation: { metric: 'auc' },
  inference: { rules: { fallback: [{ name: 'unknown', prediction: 0 }] } },
};
const CSV = 'customer,spend\na,1.5\nb,2\n';

let tmp: string;
let bucket: string;
let n = 0;
const s3 = new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
const objects = async (prefix = '') => (await listAll(s3, bucket, prefix)).map((o) => o.Key).sort();
const mlops = (argv: string[], now: Date) => run(argv, { cwd: tmp, s3, now: () => now, env: { MLOPS_DATASETS_BUCKET: bucket } });

beforeEach(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mlops-data-'));
  mkdirSync(join(tmp, 'models', 'churn'), { recursive: true });
  writeFileSync(join(tmp, 'models', 'churn', 'model.yaml'), stringify(spec));
  writeFileSync(join(tmp, 'day.csv'), CSV);
  mkdirSync(join(tmp, 'export', 'part'), { recursive: true });
  writeFileSync(join(tmp, 'export', 'a.csv'), CSV);
  writeFileSync(join(tmp, 'export', 'part', 'b.csv'), CSV);
  bucket = `datasets-${process.pid}-${n++}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('mlops data put', () => {
  test('uploads a file under <location><category>/<date>/ and prints where it went', async () => {
    const res = await mlops(['data', 'put', 'churn', 'day.csv', '--category', 'books', '--date', '2026-11-24'], new Date('2026-11-30T12:00:00Z'));
    expect(res).toMatchObject({ code: 0, err: '' });
    expect(res.out).toContain(`Uploaded 1 file (${CSV.length} bytes) to s3://${bucket}/churn/books/2026-11-24/`);
    expect(await objects()).toEqual(['churn/books/2026-11-24/day.csv']);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'churn/books/2026-11-24/day.csv' }))).Body!.transformToString();
    expect(body).toBe(CSV);
  });

  test('a folder keeps its files\' relative paths', async () => {
    const res = await mlops(['data', 'put', 'churn', 'export', '--category', 'garden', '--date', '2026-11-24', '--json'], new Date('2026-11-30T12:00:00Z'));
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({ bucket, prefix: 'churn/garden/2026-11-24/', objects: [{ key: 'churn/garden/2026-11-24/a.csv' }, { key: 'churn/garden/2026-11-24/part/b.csv' }] });
    expect(await objects()).toEqual(['churn/garden/2026-11-24/a.csv', 'churn/garden/2026-11-24/part/b.csv']);
  });

  test('without --date, the date is today in the time zone of the model\'s schedule, at any instant', async () => {
    await fc.assert(fc.asyncProperty(fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-12-31T23:59:59Z'), noInvalidDate: true }), async (now) => {
      const res = await mlops(['data', 'put', 'churn', 'day.csv', '--category', 'books', '--json'], now);
      expect(res.code).toBe(0);
      const expected = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
      expect(JSON.parse(res.out).prefix).toBe(`churn/books/${expected}/`);
    }), { numRuns: 15 });
  });

  test('an unknown category, a bad date, a missing file or a missing --category are refused before anything is uploaded', async () => {
    const now = new Date('2026-11-30T12:00:00Z');
    const unknown = await mlops(['data', 'put', 'churn', 'day.csv', '--category', 'toys'], now);
    expect(unknown).toMatchObject({ code: 1, err: expect.stringContaining('--category toys is not a category of model "churn" (books, garden)') });
    const date = await mlops(['data', 'put', 'churn', 'day.csv', '--category', 'books', '--date', '2026-02-30'], now);
    expect(date).toMatchObject({ code: 1, err: expect.stringContaining('--date 2026-02-30 is not a date') });
    const missing = await mlops(['data', 'put', 'churn', 'nope.csv', '--category', 'books'], now);
    expect(missing).toMatchObject({ code: 2, err: expect.stringContaining('nope.csv does not exist') });
    const noCategory = await mlops(['data', 'put', 'churn', 'day.csv'], now);
    expect(noCategory).toMatchObject({ code: 1, err: expect.stringContaining('--category is required') });
    const noSpec = await mlops(['data', 'put', 'other', 'day.csv', '--category', 'books'], now);
    expect(noSpec).toMatchObject({ code: 2, err: expect.stringContaining('model "other" has no spec at models/other/model.yaml') });
    expect(await objects()).toEqual([]);
  });
});

describe('mlops data ls', () => {
  test('lists the date folders within data.maxAge of now, and says which categories lack today\'s data', async () => {
    // The emulator stamps objects with the wall clock: "now" is built from the upload time, so
    // the test holds on any day.
    const uploadedAt = new Date();
    const now = new Date(uploadedAt.getTime() + 2 * 3600_000);
    const today = dateInZone(now.toISOString(), TZ);
    const yesterday = dateInZone(new Date(now.getTime() - 86_400_000).toISOString(), TZ);
    const old = dateInZone(new Date(now.getTime() - 5 * 86_400_000).toISOString(), TZ);
    for (const date of [today, yesterday, old]) {
      expect((await mlops(['data', 'put', 'churn', 'day.csv', '--category', 'books', '--date', date], uploadedAt)).code).toBe(0);
    }
    writeFileSync(join(tmp, '_SUCCESS'), 'x');
    await mlops(['data', 'put', 'churn', '_SUCCESS', '--category', 'books', '--date', today], uploadedAt);

    const res = await mlops(['data', 'ls', 'churn', '--json'], now);
    expect(res).toMatchObject({ code: 0, err: '' });
    const listed = JSON.parse(res.out);
    expect(listed).toMatchObject({ bucket, today, timeZone: TZ, maxAgeSeconds: 86_400 });
    expect(listed.partitions.map((p: any) => [p.category, p.date, p.files, p.bytes, p.fresh])).toEqual([
      ['books', today, 1, CSV.length, true],
      ['books', yesterday, 1, CSV.length, true],
    ]);

    const text = await mlops(['data', 'ls', 'churn'], now);
    expect(text.out).toContain(`A run started now reads s3://${bucket}/churn/<category>/<date>/ with date ${today}`);
    expect(text.out).toContain(`Missing for ${today}: garden; upload with \`mlops data put churn <path> --category garden\``);
    expect(text.out).not.toContain(old);

    // Two days later, the same files are too old for a run: nothing is listed.
    const later = await mlops(['data', 'ls', 'churn', '--category', 'books', '--json'], new Date(now.getTime() + 3 * 86_400_000));
    expect(JSON.parse(later.out).partitions).toEqual([]);
  });
});

describe('mlops validate <model> --data', () => {
  const validate = (...argv: string[]) => run(['validate', ...argv], { cwd: tmp });

  test('data that passes the spec\'s checks: exit 0 with rows and columns; a folder counts its files together', async () => {
    const file = await validate('churn', '--data', 'day.csv');
    expect(file).toMatchObject({ code: 0, err: '', out: 'ok: 1 file, 2 rows, columns customer, spend: the data checks of churn pass.' });
    const dir = await validate('churn', '--data', 'export', '--json');
    expect(JSON.parse(dir.out)).toEqual({ ok: true, files: ['a.csv', 'part/b.csv'], rows: 4, columns: ['customer', 'spend'], problems: [] });
  });

  test('every problem the pipeline would fail the run with, on every row, and exit 1', async () => {
    writeFileSync(join(tmp, 'bad.csv'), `customer,spend\n${'a,1\n'.repeat(1500)}b,lots\n`);
    writeFileSync(join(tmp, 'short.csv'), 'client,spend\nx,1\n');
    const bad = await validate('churn', '--data', 'bad.csv');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('error: bad.csv line 1502: "spend" is "lots", not a number'); // past the pipeline's 1000-row sample
    const short = await validate('churn', '--data', 'short.csv', '--json');
    expect(short.code).toBe(1);
    expect(JSON.parse(short.out).problems).toEqual([
      'short.csv: header lacks declared column(s) customer (header: client, spend)',
      '1 rows, fewer than the required 2 (data.minRows)',
    ]);
  });

  test('--data needs a model, and the model needs a spec', async () => {
    expect(await validate('--data', 'day.csv')).toMatchObject({ code: 1, err: expect.stringContaining('--data needs the model whose data checks to run') });
    expect(await validate('other', '--data', 'day.csv')).toMatchObject({ code: 2, err: expect.stringContaining('model "other" has no spec') });
  });
});
