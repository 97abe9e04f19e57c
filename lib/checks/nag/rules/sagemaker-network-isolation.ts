import { MlopsNagRule } from '../mlops-nag-rule';
import { judgeWorkloads } from '../support/sagemaker-rule';

/** SageMaker training and processing jobs and models run with network isolation. */
export const sageMakerNetworkIsolation: MlopsNagRule = {
  id: 'SageMakerNetworkIsolation',
  info: 'A SageMaker job or model does not enable network isolation.',
  explanation: 'A training, scoring or serving container gets its inputs through channels and writes its outputs to /opt/ml: it needs no network. '
    + 'Without EnableNetworkIsolation, code in the image (or a dependency it pulls at run time) can send data anywhere. Set EnableNetworkIsolation: true, '
    + 'or acknowledge the finding with the service the container must reach.',
  check: (node) => judgeWorkloads(node, (w) => w.networkIsolation),
};
