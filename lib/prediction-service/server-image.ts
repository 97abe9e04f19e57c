import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/** The Docker build context staged by `node server/build.mjs` (Dockerfile + bundled server). */
export function serverImageContext(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cdk-mlops: cannot find package.json above ${__dirname}`);
    dir = parent;
  }
  const context = join(dir, 'build', 'server');
  if (!existsSync(join(context, 'server.js')) || !existsSync(join(context, 'Dockerfile'))) {
    throw new Error(`cdk-mlops: the prediction server bundle is missing at ${context}. Run 'npm run build' (it runs 'node server/build.mjs') first.`);
  }
  return context;
}

/**
 * The prediction server image, built from the repository's Dockerfile for arm64. At synth the
 * context is only staged into the cloud assembly; Docker runs at deploy (cdk-assets).
 */
export function predictionServerImage(): ecs.ContainerImage {
  return ecs.ContainerImage.fromAsset(serverImageContext(), { platform: Platform.LINUX_ARM64 });
}
