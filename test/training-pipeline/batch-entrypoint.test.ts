import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { stagerBootstrap, stagerSource } from '../../lib/training-pipeline/stager-source';
import { s3Endpoint } from '../support/endpoints';
import { s3Client } from './harness';

const ENTRYPOINT = join(__dirname, '..', '..', 'container', 'batch-entrypoint');

// The training command: checks the contract from the inside, then writes model, metrics, data.
const TRAIN = `
import json, os, sys
root = os.environ['MLOPS_ML_ROOT']
hp = json.load(open(os.path.join(root, 'input/config/hyperparameters.json')))
rows = open(os.path.join(root, 'input/data/training/nested/part-0.csv')).read().splitlines()
os.makedirs(os.path.join(root, 'model/sub'), exist_ok=True)
open(os.path.join(root, 'model/sub/weights.bin'), 'wb').write(b'\\x00\\x01')
json.dump({'rmse': float(hp['rmse']), 'rows': len(rows) - 1, 'category': os.environ['MLOPS_CATEGORY']}, open(os.path.join(root, 'model/metrics.json'), 'w'))
open(os.path.join(root, 'output/data/baseline.json'), 'w').write('{}')
open(os.path.join(root, 'checkpoints/epoch-1.ckpt'), 'w').write('state')
sys.exit(int(hp.get('exit', '0')))
`;

describe('Batch staging wrapper (container/batch-entrypoint/entrypoint.py)', () => {
  test('signs requests with SigV4 exactly as AWS documents (GET object example)', () => {
    const res = spawnSync('python3', ['-c', [
      'import sys; sys.path.insert(0, sys.argv[1]); import entrypoint as e',
      "c = e.Credentials('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')",
      "h = e.sign('GET', 'examplebucket.s3.amazonaws.com', '/test.txt', {}, {'Range': 'bytes=0-9'}, 'us-east-1', c, '20130524T000000Z', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')",
      "print(h['authorization'])",
    ].join('\n'), ENTRYPOINT], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(res.stdout.trim()).toBe('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  let buckets = 0;
  async function jobEnv(hyperparameters: Record<string, string>, overrides: Record<string, string> = {}, train = TRAIN) {
    const s3 = s3Client();
    const bucket = `stager-${process.pid}-${Date.now()}-${buckets++}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/m/books/2026-11-24/nested/part-0.csv', Body: 'date,sales\n2026-11-20,1\n2026-11-21,2\n' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'runs/m/r1/checkpoints/epoch-0.ckpt', Body: 'old' }));
    const root = mkdtempSync(join(tmpdir(), 'mlops-stager-'));
    const get = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
    const exists = (key: string) => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);
    return {
      s3, bucket, root, get, exists,
      cleanup: () => rmSync(root, { recursive: true, force: true }),
      env: {
        PATH: process.env.PATH,
        MLOPS_STAGER: stagerSource(),
        MLOPS_TRAINING_COMMAND: JSON.stringify(['python3', '-c', train]),
        MLOPS_INPUT_URI: `s3://${bucket}/data/m/books/2026-11-24/`,
        MLOPS_OUTPUT_URI: `s3://${bucket}/runs/m/r1/r1-1/`,
        MLOPS_CHECKPOINT_URI: `s3://${bucket}/runs/m/r1/checkpoints/`,
        MLOPS_HYPERPARAMETERS: JSON.stringify(hyperparameters),
        MLOPS_CATEGORY: 'books',
        MLOPS_ML_ROOT: root,
        MLOPS_S3_ENDPOINT: s3Endpoint(),
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_REGION: 'us-east-1',
        ...overrides,
      },
    };
  }

  async function runJob(hyperparameters: Record<string, string>, overrides: Record<string, string> = {}) {
    const job = await jobEnv(hyperparameters, overrides);
    // Exactly the job definition's command and environment, with the emulator and a temp root.
    const [python, ...args] = stagerBootstrap('python3');
    const res = spawnSync(python, args, { encoding: 'utf8', env: job.env });
    job.cleanup();
    return { res, get: job.get };
  }

  test('stages the channel and hyperparameters, runs the command, uploads model, data and checkpoints to S3', async () => {
    const { res, get } = await runJob({ rmse: '0.25' });
    expect(res.stderr).toContain('staged 1 input file(s)');
    expect(res.status).toBe(0);
    expect(JSON.parse(await get('runs/m/r1/r1-1/output/model/metrics.json'))).toEqual({ rmse: 0.25, rows: 2, category: 'books' });
    expect(await get('runs/m/r1/r1-1/output/model/sub/weights.bin')).toBe('\u0000\u0001');
    expect(await get('runs/m/r1/r1-1/output/data/baseline.json')).toBe('{}');
    expect(await get('runs/m/r1/checkpoints/epoch-1.ckpt')).toBe('state');
    expect(await get('runs/m/r1/checkpoints/epoch-0.ckpt')).toBe('old'); // restored, then synced back
  });

  test('a failing command keeps its exit code and still uploads what it wrote plus the failure reason', async () => {
    const { res, get } = await runJob({ rmse: '0.3', exit: '3' });
    expect(res.status).toBe(3);
    expect(await get('runs/m/r1/r1-1/output/failure')).toContain('exited with 3');
    expect(JSON.parse(await get('runs/m/r1/r1-1/output/model/metrics.json'))).toMatchObject({ rmse: 0.3 });
  });

  test('a checkpoint that cannot be restored or saved never fails a successful run', async () => {
    const { res, get } = await runJob({ rmse: '0.25' }, { MLOPS_CHECKPOINT_URI: 's3://no-such-checkpoint-bucket/runs/m/r1/checkpoints/' });
    expect(res.stderr).toContain('could not restore checkpoints, training starts from scratch');
    expect(res.stderr).toContain('checkpoint sync (command exited) failed, the run goes on');
    expect(res.status).toBe(0);
    expect(JSON.parse(await get('runs/m/r1/r1-1/output/model/metrics.json'))).toMatchObject({ rmse: 0.25 });
  });

  // Trains "forever": writes a checkpoint, says so, and on SIGTERM writes a last one and exits.
  const LONG_TRAIN = `
import os, signal, sys, time
ck = os.path.join(os.environ['MLOPS_ML_ROOT'], 'checkpoints')
def term(*_):
    open(os.path.join(ck, 'on-sigterm.ckpt'), 'w').write('last')
    sys.exit(143)
signal.signal(signal.SIGTERM, term)
open(os.path.join(ck, 'epoch-1.ckpt'), 'w').write('one')
print('checkpoint written', flush=True)
parent = os.getppid()
while os.getppid() == parent:  # ends with the wrapper, whatever happens to it
    time.sleep(0.05)
`;

  test('a Spot reclaim (SIGTERM) loses no checkpoint: synced in the background while training, and the last one on SIGTERM, before the outputs', async () => {
    const job = await jobEnv({ rmse: '0.2' }, { MLOPS_CHECKPOINT_SYNC_SECONDS: '0.1' }, LONG_TRAIN);
    const [python, ...args] = stagerBootstrap('python3');
    const child = spawn(python, args, { env: job.env });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let code: number | null;
    try {
      await new Promise<void>((resolve) => child.stdout.on('data', (d) => { if (String(d).includes('checkpoint written')) resolve(); }));
      // The periodic sync uploads the checkpoint while the command still runs (polled, bounded).
      for (let i = 0; !(await job.exists('runs/m/r1/checkpoints/epoch-1.ckpt')); i++) {
        if (child.exitCode !== null || i > 400) throw new Error(`no checkpoint in S3 while training: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGTERM');
      code = await exited;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      job.cleanup();
    }

    expect(code).toBe(143);
    expect(await job.get('runs/m/r1/checkpoints/epoch-1.ckpt')).toBe('one');
    expect(await job.get('runs/m/r1/checkpoints/on-sigterm.ckpt')).toBe('last');
    // The final sync (whatever the periodic one got first) comes before the outputs.
    expect(stderr).toMatch(/synced \d+ checkpoint file\(s\) \(SIGTERM\)[\s\S]*uploaded \d+ output file\(s\)/);
  });

  test('a file over one part goes up in a multipart upload, byte for byte (S3 emulator, small parts)', async () => {
    const job = await jobEnv({});
    const file = join(job.root, 'big.ckpt');
    const data = randomBytes(5 * 64 * 1024 + 7);
    writeFileSync(file, data);
    const res = spawnSync('python3', ['-c', [
      'import sys; sys.path.insert(0, sys.argv[1]); import entrypoint as e',
      "e.S3('us-east-1', sys.argv[2], part_size=64 * 1024).upload(sys.argv[3], sys.argv[4], 'runs/m/r1/checkpoints/big.ckpt')",
    ].join('\n'), ENTRYPOINT, s3Endpoint(), file, job.bucket], { encoding: 'utf8', env: { ...job.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(res.stderr).toBe('');
    const got = await job.s3.send(new GetObjectCommand({ Bucket: job.bucket, Key: 'runs/m/r1/checkpoints/big.ckpt' }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    job.cleanup();
    expect(body.length).toBe(data.length);
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  // Records the requests instead of sending them; part bodies are never read, so a sparse
  // 5 GiB file costs nothing.
  const RECORDING_S3 = `
import json, sys; sys.path.insert(0, sys.argv[1]); import entrypoint as e
class Res(object):
    def __init__(self, body): self.body, self.headers = body, {'ETag': '"etag"'}
    def read(self): return self.body
    def close(self): pass
    def __enter__(self): return self
    def __exit__(self, *a): pass
class Recording(e.S3):
    calls = []
    def request(self, method, bucket, key='', query=None, body=None, length=None, headers=None, attempts=5):
        self.calls.append({'method': method, 'query': sorted((query or {}).keys()), 'length': length})
        return Res(b'<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>' if 'uploads' in (query or {}) else b'<CompleteMultipartUploadResult/>')
`;

  test('a 5 GiB checkpoint (a sparse file) is uploaded in parts, never in one PUT over the 5 GiB limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-sparse-'));
    const file = join(dir, 'model.ckpt');
    const res = spawnSync('python3', ['-c', `${RECORDING_S3}
size = 5 * 1024 ** 3 + 1
with open(sys.argv[2], 'wb') as f: f.truncate(size)
s3 = Recording('us-east-1')
s3.upload(sys.argv[2], 'b', 'runs/m/r1/checkpoints/model.ckpt')
print(json.dumps(s3.calls))`, ENTRYPOINT, file], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    rmSync(dir, { recursive: true, force: true });
    expect(res.stderr).toBe('');
    const calls = JSON.parse(res.stdout) as Array<{ method: string; query: string[]; length: number }>;
    const parts = calls.filter((c) => c.query.includes('partNumber'));
    expect(calls[0]).toMatchObject({ method: 'POST', query: ['uploads'] });
    expect(calls[calls.length - 1]).toMatchObject({ method: 'POST', query: ['uploadId'] });
    expect(parts.reduce((a, c) => a + c.length, 0)).toBe(5 * 1024 ** 3 + 1);
    expect(Math.max(...parts.map((c) => c.length))).toBe(64 * 1024 ** 2);
    expect(calls.filter((c) => c.method === 'PUT' && !c.query.includes('partNumber'))).toEqual([]);
  });

  test('the part plan covers any size up to 5 TiB in at most 10,000 parts of 5 MiB to 5 GiB (the last may be smaller)', () => {
    const sizes = fc.sample(fc.integer({ min: 64 * 1024 ** 2 + 1, max: 5 * 1024 ** 4 }), { numRuns: 200 });
    sizes.push(5 * 1024 ** 4, 64 * 1024 ** 2 * 10000 + 1);
    const res = spawnSync('python3', ['-c', [
      'import json, sys; sys.path.insert(0, sys.argv[1]); import entrypoint as e',
      'plans = [e.plan_parts(s) for s in json.loads(sys.stdin.read())]',
      'print(json.dumps([[len(p), min(l for _, _, l in p[:-1] or p), max(l for _, _, l in p), sum(l for _, _, l in p), all(p[i][1] + p[i][2] == p[i + 1][1] for i in range(len(p) - 1))] for p in plans]))',
    ].join('\n'), ENTRYPOINT], { encoding: 'utf8', input: JSON.stringify(sizes), env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(res.stderr).toBe('');
    (JSON.parse(res.stdout) as Array<[number, number, number, number, boolean]>).forEach(([count, smallest, largest, total, contiguous], i) => {
      expect({ size: sizes[i], count: count <= 10000, smallest: smallest >= 5 * 1024 ** 2, largest: largest <= 5 * 1024 ** 3, total, contiguous })
        .toEqual({ size: sizes[i], count: true, smallest: true, largest: true, total: sizes[i], contiguous: true });
    });
  });
});
