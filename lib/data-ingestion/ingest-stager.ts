import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { INGEST_STAGING_ENV } from '../../lambda/shared/ingestion/constants';
import { packageRoot } from '../common/handler-code';

/**
 * The ingestion job's staging wrapper (container/ingest-entrypoint/entrypoint.py), compressed
 * for the task definition's environment: the job writes files, the wrapper uploads them, and any
 * image with python3 runs unchanged.
 */
export function ingestStagerSource(): string {
  const file = join(packageRoot(), 'container', 'ingest-entrypoint', 'entrypoint.py');
  if (!existsSync(file)) throw new Error(`cdk-mlops: the ingestion staging wrapper is missing at ${file}; reinstall cdk-mlops`);
  return deflateSync(readFileSync(file)).toString('base64');
}

/**
 * The container's entry point: load the Batch wrapper's source as the module `mlops_stager`
 * (without running it), then run the ingestion wrapper. No file is written: a read-only root works.
 */
export function ingestStagerBootstrap(python: string): string[] {
  const { stager, ingestStager } = INGEST_STAGING_ENV;
  return [python, '-c', 'import base64,os,sys,types,zlib\n'
    + 'src=lambda n:zlib.decompress(base64.b64decode(os.environ[n]))\n'
    + `m=types.ModuleType('mlops_stager');exec(compile(src('${stager}'),'mlops-stager','exec'),m.__dict__);sys.modules['mlops_stager']=m\n`
    + `exec(compile(src('${ingestStager}'),'mlops-ingest-stager','exec'),{'__name__':'__main__'})`];
}
