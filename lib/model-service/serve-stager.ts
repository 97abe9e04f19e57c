import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { MODEL_SERVICE_ENV } from '../../lambda/shared/model-service/settings';
import { packageRoot } from '../common/handler-code';

/**
 * The model service's start wrapper (container/model-service-entrypoint/entrypoint.py),
 * compressed for the task definition's environment, like the Batch staging wrapper: any image
 * with python3 serves on Fargate without a rebuild.
 */
export function serveStagerSource(): string {
  const file = join(packageRoot(), 'container', 'model-service-entrypoint', 'entrypoint.py');
  if (!existsSync(file)) throw new Error(`cdk-mlops: the model service start wrapper is missing at ${file}; reinstall cdk-mlops`);
  return deflateSync(readFileSync(file)).toString('base64');
}

/**
 * The container's entry point: load the Batch wrapper's source as the module `mlops_stager`
 * (without running it), then run the start wrapper. No file is written: a read-only root works.
 */
export function serveStagerBootstrap(python: string): string[] {
  const { stager, serveStager } = MODEL_SERVICE_ENV;
  return [python, '-c', 'import base64,os,sys,types,zlib\n'
    + `src=lambda n:zlib.decompress(base64.b64decode(os.environ[n]))\n`
    + `m=types.ModuleType('mlops_stager');exec(compile(src('${stager}'),'mlops-stager','exec'),m.__dict__);sys.modules['mlops_stager']=m\n`
    + `exec(compile(src('${serveStager}'),'mlops-serve-stager','exec'),{'__name__':'__main__'})`];
}
