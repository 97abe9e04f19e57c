// The environment variables the CLI reads, named once (help texts and error fixes quote them).
import { PARAMETERS } from '../lambda/shared/contract';
import { ENV } from '../lambda/shared/env';

/** Environment variables the CLI reads. */
export const CLI_ENV = {
  platform: PARAMETERS.platformEnv,
  registryTable: ENV.registryTable,
  trainingStateMachine: 'MLOPS_TRAINING_STATE_MACHINE_ARN',
  batchInferenceStateMachine: 'MLOPS_BATCH_INFERENCE_STATE_MACHINE_ARN',
  actor: 'MLOPS_ACTOR',
  /** The datasets bucket `mlops data` uses, instead of the platform's SSM parameter. */
  datasetsBucket: 'MLOPS_DATASETS_BUCKET',
  /** Endpoint overrides for local mode and tests (e.g. DynamoDB Local on loopback). */
  dynamodbEndpoint: 'MLOPS_ENDPOINT_DYNAMODB',
  ssmEndpoint: 'MLOPS_ENDPOINT_SSM',
  sfnEndpoint: 'MLOPS_ENDPOINT_SFN',
  sageMakerEndpoint: 'MLOPS_ENDPOINT_SAGEMAKER',
  batchEndpoint: 'MLOPS_ENDPOINT_BATCH',
  logsEndpoint: 'MLOPS_ENDPOINT_LOGS',
  /** S3 (path-style addressing, as emulators need): promote copies experiment artifacts under runs/. */
  s3Endpoint: 'MLOPS_ENDPOINT_S3',
} as const;
