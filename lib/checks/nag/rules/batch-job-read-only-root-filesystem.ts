import { MlopsNagRule } from '../mlops-nag-rule';
import { judgeContainers } from '../support/batch-rule';

/** Batch job containers have a read-only root filesystem. */
export const batchJobReadOnlyRootFilesystem: MlopsNagRule = {
  id: 'BatchJobReadOnlyRootFilesystem',
  info: 'A Batch job definition does not make the container\'s root filesystem read-only.',
  explanation: 'A writable root filesystem lets a compromised job replace binaries and libraries of the image for the rest of its run. '
    + 'Set ReadonlyRootFilesystem: true and mount volumes (e.g. /opt/ml, /tmp) for what the job writes.',
  check: (node) => judgeContainers(node, (c) => c.readOnlyRootFilesystem),
};
