import { isGpuInstanceType } from '../spec/load-model-spec';
import { ModelSpec, TrainingEngine } from '../spec/model-spec';
import { CheckLevel, ModelCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/** GPU compute on AWS Batch must have a vCPU ceiling. */
export const gpuComputeVcpuCap: ModelCheck = {
  id: 'MLOPS-GpuComputeVcpuCap',
  scope: 'model',
  level: CheckLevel.WARNING,
  info: 'GPU training on AWS Batch has no maximum vCPU cap (training.maxVcpus).',
  explanation: 'A Batch compute environment scales to its maxvCpus. Without a deliberate cap, a burst of jobs (a retry storm, a large '
    + 'experiment sweep) can start many GPU instances at tens of dollars an hour each. The cap, plus the one instance Batch may add '
    + 'beyond it to place a job, is the cost ceiling; the compute environment allows only the declared instance type.',
  check(spec: ModelSpec) {
    const t = spec.training;
    if (t.backend !== TrainingEngine.BATCH || !isGpuInstanceType(t.instanceType)) return notApplicable();
    if (t.maxVcpus !== undefined) return compliant();
    return nonCompliant('training.maxVcpus', `backend batch on GPU instance ${t.instanceType} without maxVcpus; set training.maxVcpus `
      + '(e.g. 16 = four g4dn.xlarge) to the most you are willing to pay for at once');
  },
};
