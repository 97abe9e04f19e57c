import { MlopsNagRule } from '../mlops-nag-rule';
import { judgeWorkloads } from '../support/sagemaker-rule';

/** What SageMaker writes to S3 (models, predictions, captured data) is encrypted with a customer key. */
export const sageMakerOutputKms: MlopsNagRule = {
  id: 'SageMakerOutputKms',
  info: 'A SageMaker job or endpoint config writes its output to S3 without a KMS key.',
  explanation: 'Model artifacts, batch predictions and captured requests are the platform\'s most sensitive data. Without a KmsKeyId on the output '
    + '(OutputDataConfig, ProcessingOutputConfig, TransformOutput, DataCaptureConfig, AsyncInferenceConfig.OutputConfig) SageMaker falls back to the bucket default, '
    + 'which may be an AWS-managed key outside the platform\'s key policy.',
  check: (node) => judgeWorkloads(node, (w) => w.outputKms),
};
