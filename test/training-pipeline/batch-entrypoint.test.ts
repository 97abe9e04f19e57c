import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
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

  async function runJob(hyperparameters: Record<string, string>) {
    const s3 = s3Client();
    const bucket = `stager-${process.pid}-${Date.now()}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/m/books/2026-11-24/nested/part-0.csv', Body: 'date,sales\n2026-11-20,1\n2026-11-21,2\n' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'runs/m/r1/checkpoints/epoch-0.ckpt', Body: 'old' }));
    const root = mkdtempSync(join(tmpdir(), 'mlops-stager-'));
    // Exactly the job definition's command and environment, with the emulator and a temp root.
    const [python, ...args] = stagerBootstrap('python3');
    const res = spawnSync(python, args, {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        MLOPS_STAGER: stagerSource(),
        MLOPS_TRAINING_COMMAND: JSON.stringify(['python3', '-c', TRAIN]),
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
      },
    });
    rmSync(root, { recursive: true, force: true });
    const get = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
    return { res, get };
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
});
