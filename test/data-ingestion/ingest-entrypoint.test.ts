// The ingestion staging wrapper (container/ingest-entrypoint/entrypoint.py) run for real, with the
// task definition's own entry point, against the S3 emulator: the job only writes files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { getText, listAll } from '../../lambda/shared/training/s3';
import { INGEST_STAGING_ENV } from '../../lambda/shared/ingestion/constants';
import { ingestStagerBootstrap, ingestStagerSource } from '../../lib/data-ingestion/ingest-stager';
import { stagerSource } from '../../lib/training-pipeline/stager-source';
import { s3Endpoint } from '../support/endpoints';
import { s3Client } from '../training-pipeline/harness';

// Writes one file per category for the window, plus what it saw of its environment; exits with EXIT.
const JOB = `
import json, os, sys
out = os.path.join(os.environ['MLOPS_ML_ROOT'], 'output', 'data')
for c in ('books', 'toys'):
    os.makedirs(os.path.join(out, c, 'nested'), exist_ok=True)
    open(os.path.join(out, c, 'nested', 'part.csv'), 'w').write('id,units\\n%s,1\\n' % os.environ['MLOPS_INGEST_WINDOW_START'])
seen = dict((k, os.environ.get(k)) for k in ('MLOPS_MODE', 'MLOPS_INGEST_OUTPUT_URI', 'MLOPS_INGEST_COMMAND', 'MLOPS_STAGER'))
open(os.path.join(out, 'books', 'env.json'), 'w').write(json.dumps(seen))
if os.environ.get('STRAY'):
    open(os.path.join(out, 'loose.csv'), 'w').write('id\\n')
sys.exit(int(os.environ.get('EXIT', '0')))
`;

let n = 0;
async function run(extra: Record<string, string> = {}) {
  const s3 = s3Client();
  const bucket = `ingest-stager-${process.pid}-${n++}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const root = mkdtempSync(join(tmpdir(), 'mlops-ingest-'));
  const [python, ...args] = ingestStagerBootstrap('python3');
  const res = spawnSync(python, args, {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      [INGEST_STAGING_ENV.stager]: stagerSource(),
      [INGEST_STAGING_ENV.ingestStager]: ingestStagerSource(),
      [INGEST_STAGING_ENV.command]: JSON.stringify(['python3', '-c', JOB]),
      [INGEST_STAGING_ENV.outputUri]: `s3://${bucket}/ingestion/demand/run-1`,
      MLOPS_INGEST_WINDOW_START: '2026-11-29T06:00:00.000Z', MLOPS_INGEST_WINDOW_END: '2026-11-29T12:00:00.000Z',
      MLOPS_ML_ROOT: root, MLOPS_S3_ENDPOINT: s3Endpoint(), AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1',
      ...extra,
    },
  });
  rmSync(root, { recursive: true, force: true });
  const keys = (await listAll(s3, bucket, '')).map((o) => o.Key).sort();
  return { res, keys, get: async (key: string) => (await getText(s3, bucket, key)) ?? '' };
}

describe('ingestion staging wrapper (container/ingest-entrypoint/entrypoint.py)', () => {
  test('runs the command with MLOPS_MODE=ingest and the window, then uploads output/data/<category>/ under the output URI', async () => {
    const { res, keys, get } = await run();
    expect(res.status).toBe(0);
    expect(keys).toEqual(['ingestion/demand/run-1/books/env.json', 'ingestion/demand/run-1/books/nested/part.csv', 'ingestion/demand/run-1/toys/nested/part.csv']);
    expect(await get('ingestion/demand/run-1/toys/nested/part.csv')).toBe('id,units\n2026-11-29T06:00:00.000Z,1\n');
    // The job sees the contract and none of the wrapper's own settings: where the files go is the platform's business.
    expect(JSON.parse(await get('ingestion/demand/run-1/books/env.json'))).toEqual({ MLOPS_MODE: 'ingest', MLOPS_INGEST_OUTPUT_URI: null, MLOPS_INGEST_COMMAND: null, MLOPS_STAGER: null });
    expect(res.stderr).toMatch(/uploaded 3 file\(s\) to s3:\/\/ingest-stager-[^/]+\/ingestion\/demand\/run-1\//);
  });

  test('a failed command uploads nothing and keeps its exit code (the window fails and can be re-run)', async () => {
    const { res, keys } = await run({ EXIT: '3' });
    expect(res.status).toBe(3);
    expect(keys).toEqual([]);
    expect(res.stderr).toMatch(/exited with 3: nothing uploaded/);
  });

  test('a file outside a category folder fails the job with the file and the fix', async () => {
    const { res, keys } = await run({ STRAY: '1' });
    expect(res.status).toBe(2);
    expect(keys).toEqual([]);
    expect(res.stderr).toMatch(/loose\.csv written directly under .*output\/data: write each file under a category folder/);
  });
});
