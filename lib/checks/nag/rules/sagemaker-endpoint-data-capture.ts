import { MlopsNagRule } from '../mlops-nag-rule';
import { judgeWorkloads } from '../support/sagemaker-rule';

/** Real-time endpoints capture requests and responses. */
export const sageMakerEndpointDataCapture: MlopsNagRule = {
  id: 'SageMakerEndpointDataCapture',
  info: 'A SageMaker endpoint config does not capture requests and responses.',
  explanation: 'Without captured inputs and outputs, drift and a wrong answer cannot be investigated after the fact, and model monitoring has nothing to compare. '
    + 'Enable DataCaptureConfig (a sampling percentage, an S3 destination and a KMS key), or acknowledge the finding where the traffic must not be stored.',
  check: (node) => judgeWorkloads(node, (w) => w.dataCapture),
};
