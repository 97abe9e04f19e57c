import { Token } from 'aws-cdk-lib';
import type { GpuBatchComputeProps } from './gpu-batch-compute';

/** Hard ceiling of the default guardrail check; raise it knowingly with maxvCpus. */
const MAX_VCPUS_LIMIT = 10000;

export function validateGpuBatchComputeProps(props: GpuBatchComputeProps): void {
  const max = props.maxvCpus;
  if (max !== undefined && !Token.isUnresolved(max) && (!Number.isInteger(max) || max < 1 || max > MAX_VCPUS_LIMIT)) {
    throw new Error(`maxvCpus must be a whole number between 1 and ${MAX_VCPUS_LIMIT}, but ${max} was provided: it caps what the queue can run at once (the cost guardrail)`);
  }
  if (props.vpc && props.maxAzs !== undefined) {
    throw new Error('maxAzs was given together with vpc: maxAzs only shapes the VPC this construct creates; drop one of them');
  }
  if (props.maxAzs !== undefined && !Token.isUnresolved(props.maxAzs) && (!Number.isInteger(props.maxAzs) || props.maxAzs < 1 || props.maxAzs > 6)) {
    throw new Error(`maxAzs must be a whole number between 1 and 6, but ${props.maxAzs} was provided`);
  }
  if (props.rootVolumeSizeGiB !== undefined && !Token.isUnresolved(props.rootVolumeSizeGiB) && (!Number.isInteger(props.rootVolumeSizeGiB) || props.rootVolumeSizeGiB < 30 || props.rootVolumeSizeGiB > 16384)) {
    throw new Error(`rootVolumeSizeGiB must be a whole number between 30 and 16384, but ${props.rootVolumeSizeGiB} was provided (GPU AMIs need at least 30 GiB)`);
  }
  if (props.instanceClasses !== undefined && props.instanceClasses.length === 0 && (props.instanceTypes ?? []).length === 0) {
    throw new Error('instanceClasses is empty and no instanceTypes were given: list GPU instance classes (e.g. [InstanceClass.G5, InstanceClass.G6]) or leave instanceClasses out');
  }
  if (props.spot === false && props.onDemandFallback === false) {
    throw new Error('spot and onDemandFallback are both false, so the queue would have no compute environment: enable at least one');
  }
  const bid = props.spotBidPercentage;
  if (bid !== undefined && !Token.isUnresolved(bid) && (!Number.isInteger(bid) || bid < 1 || bid > 100)) {
    throw new Error(`spotBidPercentage must be a whole number between 1 and 100, but ${bid} was provided`);
  }
}
