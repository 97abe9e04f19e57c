import { MlopsNagRule } from '../mlops-nag-rule';
import { judgeWorkloads } from '../support/sagemaker-rule';

/** Distributed SageMaker jobs encrypt the traffic between their instances. */
export const sageMakerInterContainerEncryption: MlopsNagRule = {
  id: 'SageMakerInterContainerEncryption',
  info: 'A SageMaker job that may run on several instances does not encrypt the traffic between them.',
  explanation: 'Distributed training and processing exchange model parameters and data between instances in plaintext unless '
    + 'EnableInterContainerTrafficEncryption is set. A job on one instance (InstanceCount 1) passes; an instance count known only at run time counts as several.',
  check: (node) => judgeWorkloads(node, (w) => w.interContainerEncryption),
};
