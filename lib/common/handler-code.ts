import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The cdk-mlops package root (the folder holding its package.json), whether this file runs from
 * `lib/` (tests) or `dist/lib/` (compiled). Files shipped with the package (bundled handlers,
 * the Batch staging wrapper) are found from here.
 */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cdk-mlops: cannot find package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/**
 * Code asset of a handler bundled at build time by `scripts/bundle.mjs`.
 * Fails with the fix when the bundle is missing, instead of synthesizing an empty asset.
 */
export function handlerCode(name: string): lambda.Code {
  const dir = join(packageRoot(), 'build', 'handlers', name);
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(`cdk-mlops: the bundled handler '${name}' is missing at ${dir}. Run 'npm run build' first (cdk.json's build hook does this for 'cdk synth').`);
  }
  return lambda.Code.fromAsset(dir);
}
