import { Token } from 'aws-cdk-lib';

/** Memory (MiB) Fargate allows per CPU size: [lowest, highest, step]. */
export const FARGATE_MEMORY_MIB: Readonly<Record<number, readonly [number, number, number]>> = {
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
  8192: [16384, 61440, 4096],
  16384: [32768, 122880, 8192],
};

/** The values a FargateModelService is built with, after defaults. */
export interface FargateModelServiceValues {
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly minTaskCount: number;
  readonly maxTaskCount: number;
  readonly peakTaskCount: number;
  readonly tpsPerTask: number;
  readonly targetCpuUtilizationPercent: number;
  readonly command: readonly string[];
}

/** Validates a model service's size and scaling; errors name the prop, the value and the fix (unresolved tokens are skipped). */
export function validateFargateModelServiceProps(p: FargateModelServiceValues): void {
  const known = (v: number) => !Token.isUnresolved(v);
  const sizes = FARGATE_MEMORY_MIB[p.cpu];
  if (known(p.cpu) && !sizes) {
    throw new Error(`cpu must be one of Fargate's sizes (${Object.keys(FARGATE_MEMORY_MIB).join(', ')} CPU units; Fargate has no GPUs), but ${p.cpu} was provided: use e.g. 1024 (1 vCPU), or SageMaker hosting for a GPU`);
  }
  if (sizes && known(p.memoryLimitMiB)) {
    const [lo, hi, step] = sizes;
    if (!Number.isInteger(p.memoryLimitMiB) || p.memoryLimitMiB < lo || p.memoryLimitMiB > hi || (p.memoryLimitMiB - lo) % step !== 0) {
      throw new Error(`memoryLimitMiB must be between ${lo} and ${hi} in steps of ${step} with cpu ${p.cpu} (Fargate's sizes), but ${p.memoryLimitMiB} was provided`);
    }
  }
  const whole = (name: string, v: number) => {
    if (known(v) && (!Number.isInteger(v) || v < 1)) throw new Error(`${name} must be a whole number >= 1, but ${v} was provided`);
  };
  whole('minTaskCount', p.minTaskCount);
  whole('maxTaskCount', p.maxTaskCount);
  whole('peakTaskCount', p.peakTaskCount);
  if (p.maxTaskCount < p.minTaskCount) throw new Error(`maxTaskCount must be at least minTaskCount (${p.minTaskCount}), but ${p.maxTaskCount} was provided`);
  if (p.peakTaskCount < p.minTaskCount || p.peakTaskCount > p.maxTaskCount) {
    throw new Error(`peakTaskCount must be between minTaskCount (${p.minTaskCount}) and maxTaskCount (${p.maxTaskCount}), but ${p.peakTaskCount} was provided`);
  }
  if (known(p.tpsPerTask) && !(p.tpsPerTask > 0)) throw new Error(`tpsPerTask must be a positive number of requests per second, but ${p.tpsPerTask} was provided`);
  const cpuTarget = p.targetCpuUtilizationPercent;
  if (known(cpuTarget) && (cpuTarget < 10 || cpuTarget > 90)) throw new Error(`targetCpuUtilizationPercent must be between 10 and 90, but ${cpuTarget} was provided`);
  if (p.command.length === 0) throw new Error('command must be the image\'s serve command, but an empty command was provided: give e.g. ["python3", "/opt/program/serve.py"]');
}
