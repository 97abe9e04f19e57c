import { MlopsNagRule } from '../mlops-nag-rule';
import { judgeContainers } from '../support/batch-rule';

/** Batch job containers are not privileged. */
export const batchJobUnprivileged: MlopsNagRule = {
  id: 'BatchJobUnprivileged',
  info: 'A Batch job definition runs a privileged container.',
  explanation: 'A privileged container has root on the host: it can read the other jobs\' data on the instance and the instance role\'s credentials. '
    + 'Training and scoring need no privilege (GPUs are passed with resourceRequirements). Remove Privileged: true.',
  check: (node) => judgeContainers(node, (c) => !c.privileged),
};
