// Names shared by the TrainingPipeline construct (which sets them) and the training handlers
// (which read them), so the two cannot drift apart.
import { CONTAINER } from '../contract';

/** Environment variables of the training handlers (besides lambda/shared/env.ts `ENV`). */
export const TRAINING_ENV = {
  /** JSON of {@link PipelineConfig}: everything the handlers need to know about the pipeline. */
  config: 'MLOPS_TRAINING_CONFIG',
  /** ARN of the model owner's topic: notifications go there too (optional). */
  ownerTopic: 'MLOPS_OWNER_TOPIC',
} as const;

/**
 * The root that stands in for `/opt/ml` (local runs and Batch staging): `CONTAINER.env.mlRoot`
 * of the container contract, kept under this name for existing imports.
 */
export const ML_ROOT_ENV = CONTAINER.env.mlRoot;

/** Extra variables the Batch staging wrapper reads (set by the job definition and the task). */
export const BATCH_STAGING_ENV = {
  /** s3://bucket/prefix/ of the training channel. */
  inputUri: 'MLOPS_INPUT_URI',
  /** s3://bucket/prefix/ the job writes `output/model/` and `output/data/` under. */
  outputUri: 'MLOPS_OUTPUT_URI',
  /** s3://bucket/prefix/ synced to and from /opt/ml/checkpoints (Spot restarts resume from it). */
  checkpointUri: 'MLOPS_CHECKPOINT_URI',
  /** Seconds between background checkpoint syncs while the command runs (default 300). */
  checkpointSyncSeconds: 'MLOPS_CHECKPOINT_SYNC_SECONDS',
  /** JSON object written to input/config/hyperparameters.json. */
  hyperparameters: 'MLOPS_HYPERPARAMETERS',
  /** JSON array: the training command the wrapper runs. */
  command: 'MLOPS_TRAINING_COMMAND',
  /** KMS key id/ARN for SSE-KMS on uploads. */
  kmsKeyId: 'MLOPS_KMS_KEY_ID',
  /** Override of the S3 endpoint (tests against an emulator). */
  s3Endpoint: 'MLOPS_S3_ENDPOINT',
  /** The gzip+base64 source of the staging wrapper, executed by the job's bootstrap command. */
  stager: 'MLOPS_STAGER',
} as const;

/** Prefix of the approval request items the pipeline keeps in the registry table. */
export const APPROVAL_SK_PREFIX = 'APPROVAL#';
/** Entity discriminator of approval request items (not a registry-core entity: change events ignore it). */
export const APPROVAL_ENTITY = 'APPROVAL_REQUEST';

/**
 * State names of the training state machine. The construct names its states with these and
 * local mode / tests map each Task to a local handler by them.
 */
export const TRAINING_STATES = {
  plan: 'Plan',
  validateData: 'ValidateData',
  recordRejectedData: 'RecordRejectedData',
  notifyAborted: 'NotifyAborted',
  aborted: 'TrainingAborted',
  map: 'TrainCategories',
  startRun: 'StartRun',
  nameJob: 'NameTrainingJob',
  train: 'Train',
  classifyFailure: 'ClassifyTrainingFailure',
  retryChoice: 'RetryTraining',
  waitBeforeRetry: 'WaitBeforeRetry',
  evaluate: 'Evaluate',
  gate: 'Gate',
  decision: 'PromotionDecision',
  promote: 'Promote',
  requestApproval: 'RequestApproval',
  applyApproval: 'ApplyApproval',
  approvalTimedOut: 'ApprovalTimedOut',
  awaitApproval: 'AwaitApproval',
  approvals: 'WaitForApprovals',
  approvalNeeded: 'ApprovalNeeded',
  approvalItem: 'ApprovalItem',
  recordApprovalFailure: 'RecordApprovalFailure',
  approvalFailureNotRecorded: 'ApprovalFailureNotRecorded',
  noApprovalNeeded: 'NoApprovalNeeded',
  keep: 'KeepRegistered',
  recordFailure: 'RecordFailure',
  failureNotRecorded: 'FailureNotRecorded',
  summarize: 'Summarize',
  summaryFailed: 'SummaryFailed',
  summaryFailedScore: 'SummaryFailedScoreAll',
  summaryFailedExperiment: 'SummaryFailedExperiment',
  batchChoice: 'BatchInferenceNeeded',
  startBatchInference: 'StartBatchInference',
  checkOutcome: 'CheckOutcome',
  failed: 'TrainingFailed',
  succeeded: 'TrainingSucceeded',
} as const;

/** JSONPath of the per-attempt training job name in a run item. */
export const JOB_NAME_PATH = '$.job.name';

/** The execution statuses that can leave runs RUNNING (no branch got to record them). */
export const ENDED_EARLY_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
