// The example model's data, made by its own generator (models/<name>/generate_data.py) and
// uploaded where the training pipeline reads it: <model>/<category>/<date>/ of the datasets bucket.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { layout } from '../../lambda/shared/contract';
import { ModelSpec } from '../../lib/spec/model-spec';

/** Generates `days` days of `stores` stores per category ending on `date`, uploads them; returns rows per category. */
export async function uploadGeneratedData(spec: ModelSpec, opts: { s3: S3Client; bucket: string; date: string; days: number; stores: number }): Promise<Record<string, number>> {
  const generator = join(spec.training.imageDirectory ?? '', 'generate_data.py');
  const dir = mkdtempSync(join(tmpdir(), 'mlops-data-'));
  const rows: Record<string, number> = {};
  try {
    for (const category of spec.categories) {
      const file = execFileSync('python3', ['-B', generator, '--out', dir, '--days', String(opts.days), '--stores', String(opts.stores), '--category', category, '--end', opts.date], { encoding: 'utf8' }).trim();
      const body = readFileSync(file);
      rows[category] = body.toString('utf8').trim().split('\n').length - 1;
      await opts.s3.send(new PutObjectCommand({ Bucket: opts.bucket, Key: `${layout.datasetPrefix(spec.name, category, opts.date)}${category}.csv`, Body: body }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
