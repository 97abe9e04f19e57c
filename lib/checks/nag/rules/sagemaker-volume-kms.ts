import { MlopsNagRule } from '../mlops-nag-rule';
import { judgeWorkloads } from '../support/sagemaker-rule';

/** SageMaker ML storage volumes are encrypted with a customer key. */
export const sageMakerVolumeKms: MlopsNagRule = {
  id: 'SageMakerVolumeKms',
  info: 'A SageMaker job or endpoint config does not encrypt its ML storage volume with a KMS key.',
  explanation: 'The volume holds the training data, the model and intermediate files. Without a customer key, the data\'s key policy does not govern it. '
    + 'Set VolumeKmsKeyId (jobs) or KmsKeyId (endpoint configs). Instance types with local NVMe storage (ml.g5, ml.p4d, ml.*d) encrypt in hardware and reject a key: they pass.',
  check: (node) => judgeWorkloads(node, (w) => w.volumeKms),
};
