import { Duration, Token } from 'aws-cdk-lib';
import { wholeNumberProp } from '../common/validate-props';
import type { BatchBackendOptions, SageMakerBackendOptions } from './training-backend';

/** What the SageMaker backend checks; the image is not (any image URI or asset works). */
export type SageMakerBackendChecked = Omit<SageMakerBackendOptions, 'image'>;

/** What the Batch backend checks, with the cap of the compute environment it submits to. */
export type BatchBackendChecked = Omit<BatchBackendOptions, 'image' | 'compute'> & { readonly computeMaxvCpus: number };

export function validateSageMakerBackendOptions(options: SageMakerBackendChecked): void {
  wholeNumberProp('instanceCount', options.instanceCount, 1, 100);
  wholeNumberProp('volumeSizeGiB', options.volumeSizeGiB, 1, 16384);
  const type = options.instanceType;
  if (type !== undefined && !Token.isUnresolved(type) && !/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(type)) {
    throw new Error(`instanceType must be a SageMaker instance type such as 'ml.g5.xlarge', but '${type}' was provided`);
  }
  const runtime = options.maxRuntime?.toSeconds();
  if (runtime !== undefined && (runtime < 60 || runtime > 28 * 24 * 3600)) {
    throw new Error(`maxRuntime must be between 1 minute and 28 days, but ${options.maxRuntime!.toHumanString()} was provided`);
  }
  if (options.spot === false && options.spotMaxWait) {
    throw new Error('spotMaxWait was given but spot is false: drop spotMaxWait or turn spot on');
  }
  const wait = options.spotMaxWait?.toSeconds();
  if (wait !== undefined && wait < (runtime ?? 4 * 3600)) {
    throw new Error(`spotMaxWait must be at least maxRuntime (${(options.maxRuntime ?? Duration.hours(4)).toHumanString()}), but ${options.spotMaxWait!.toHumanString()} was provided`);
  }
  if ((options.subnets || options.securityGroups) && !options.vpc) {
    throw new Error('subnets or securityGroups were given without vpc: pass the vpc they belong to');
  }
}

export function validateBatchBackendOptions(options: BatchBackendChecked): void {
  wholeNumberProp('vcpus', options.vcpus, 1, 192);
  wholeNumberProp('gpus', options.gpus, 0, 16);
  wholeNumberProp('memoryMiB', options.memoryMiB, 512, 2_000_000);
  wholeNumberProp('spotAttempts', options.spotAttempts, 1, 10);
  if (!Array.isArray(options.command) || options.command.length === 0) {
    throw new Error(`command must list the training command and its arguments (e.g. ['python3', '/app/train.py']), but ${JSON.stringify(options.command)} was provided`);
  }
  const vcpus = options.vcpus ?? BATCH_DEFAULT_VCPUS;
  const cap = options.computeMaxvCpus;
  if (!Token.isUnresolved(vcpus) && !Token.isUnresolved(cap) && vcpus > cap) {
    throw new Error(`vcpus (${vcpus}) is more than the compute environment's maxvCpus (${cap}), so the job could never start: lower vcpus or raise maxvCpus of the GpuBatchCompute`);
  }
}

/** vCPUs of a Batch training job when none are given. */
export const BATCH_DEFAULT_VCPUS = 4;
