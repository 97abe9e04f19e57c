import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { packageRoot } from '../common/handler-code';

/**
 * The Batch staging wrapper (container/batch-entrypoint/entrypoint.py), compressed for the job
 * definition's environment. Shipping it in the job definition instead of the image means any
 * image with python3 honours the container contract on Batch without a rebuild.
 */
export function stagerSource(): string {
  const file = join(packageRoot(), 'container', 'batch-entrypoint', 'entrypoint.py');
  if (!existsSync(file)) throw new Error(`cdk-mlops: the Batch staging wrapper is missing at ${file}; reinstall cdk-mlops`);
  return deflateSync(readFileSync(file)).toString('base64');
}

/** The job's command: decompress and run the wrapper (no file is written: read-only root works). */
export function stagerBootstrap(python: string): string[] {
  return [python, '-c', "import base64,os,zlib;exec(compile(zlib.decompress(base64.b64decode(os.environ['MLOPS_STAGER'])),'mlops-stager','exec'),{'__name__':'__main__'})"];
}

