import { MlopsNagRule } from '../mlops-nag-rule';
import { judgeContainers } from '../support/batch-rule';

/** Batch job containers run as a user other than root. */
export const batchJobNonRootUser: MlopsNagRule = {
  id: 'BatchJobNonRootUser',
  info: 'A Batch job definition runs its container as root (no User, or User root / 0).',
  explanation: 'Without a User the container runs as the image\'s default user, usually root; a container escape is then root on the instance. '
    + 'Set User to a non-root user or uid the image has (e.g. "1000"), or RunAsUser / RunAsNonRoot on EKS.',
  check: (node) => judgeContainers(node, (c) => c.nonRootUser),
};
