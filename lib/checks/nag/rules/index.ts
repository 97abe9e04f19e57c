import { MlopsNagRule } from '../mlops-nag-rule';
import { batchJobNonRootUser } from './batch-job-non-root-user';
import { batchJobReadOnlyRootFilesystem } from './batch-job-read-only-root-filesystem';
import { batchJobUnprivileged } from './batch-job-unprivileged';
import { iamNoDataActionOnAnyResource } from './iam-no-data-action-on-any-resource';
import { iamNoManagedFullAccess } from './iam-no-managed-full-access';
import { predictionsTablePitr } from './predictions-table-pitr';
import { predictionsTableTtl } from './predictions-table-ttl';
import { s3BucketLifecycle } from './s3-bucket-lifecycle';
import { sageMakerEndpointDataCapture } from './sagemaker-endpoint-data-capture';
import { sageMakerInVpc } from './sagemaker-in-vpc';
import { sageMakerInterContainerEncryption } from './sagemaker-inter-container-encryption';
import { sageMakerNetworkIsolation } from './sagemaker-network-isolation';
import { sageMakerOutputKms } from './sagemaker-output-kms';
import { sageMakerVolumeKms } from './sagemaker-volume-kms';

/** Every rule of the MlopsChecks pack, in report order. */
export const MLOPS_NAG_RULES: readonly MlopsNagRule[] = [
  sageMakerInVpc,
  sageMakerNetworkIsolation,
  sageMakerVolumeKms,
  sageMakerOutputKms,
  sageMakerInterContainerEncryption,
  sageMakerEndpointDataCapture,
  iamNoManagedFullAccess,
  iamNoDataActionOnAnyResource,
  batchJobUnprivileged,
  batchJobReadOnlyRootFilesystem,
  batchJobNonRootUser,
  predictionsTableTtl,
  predictionsTablePitr,
  s3BucketLifecycle,
];
