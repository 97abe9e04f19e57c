// Shapes of the training pipeline: its configuration and the JSON passed between states.
import type { ModelScoring } from '../registry/types';

export type DataFormat = 'csv' | 'jsonl';
export type ColumnType = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'timestamp';
export type PromotionMode = 'auto' | 'manual' | 'none';
export type Direction = 'maximize' | 'minimize';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Empty values are allowed. */
  readonly nullable?: boolean;
}

export interface DataValidationConfig {
  readonly format: DataFormat;
  readonly columns: ColumnSpec[];
  readonly minRows: number;
  /** Newest input object must be at most this old at the reference time (seconds); 0 = no check. */
  readonly maxAgeSeconds: number;
  /** Rows type-checked per category (all rows are counted). */
  readonly sampleRows: number;
  /**
   * A timestamp column: maxAge applies to its newest value (over all rows) instead of the newest
   * object's write time. Set for a feature set, whose objects are written just before validation.
   */
  readonly eventTimeColumn?: string;
}

export interface EvaluationConfig {
  readonly metric: string;
  readonly direction: Direction;
  /** Minimum improvement over the champion (absolute, in metric units). */
  readonly minImprovement: number;
  /** Absolute bar the challenger must meet (>= when maximizing, <= when minimizing). */
  readonly threshold?: number;
}

/** Everything the handlers know about the pipeline; set by the construct as JSON. */
export interface PipelineConfig {
  readonly model: string;
  readonly categories: string[];
  readonly hyperparameters: Record<string, string>;
  readonly validation: DataValidationConfig;
  readonly evaluation: EvaluationConfig;
  readonly promotion: PromotionMode;
  readonly approvalTimeoutSeconds: number;
  /** IANA time zone the scheduled time is read in to get the execution date. */
  readonly timeZone: string;
  readonly toleratedFailurePercentage: number;
  /** Attempts of a training job failed for a transient reason (capacity, Spot). */
  readonly trainingAttempts: number;
  /**
   * Longest total wait for a quota or capacity shortage per category (seconds), e.g. SageMaker's
   * maxWait: such errors are retried at minute scale until it is used up.
   */
  readonly capacityWaitSeconds: number;
  /** Container image recorded on every version (lineage). */
  readonly image: string;
  /** Training code revision recorded on every version (lineage), when given. */
  readonly codeRevision?: string;
  /** The model's description and owner in the registry (the spec's), kept current by each plan. */
  readonly modelDescription?: string;
  readonly modelOwner?: string;
  /** Name of the state machine, for approval instructions. */
  readonly pipelineName?: string;
  /** How the model's promoted versions get served, recorded on the model by each plan. @default 'BATCH' */
  readonly scoring?: ModelScoring;
  /** Batch inference follows the Map (so an auto-promotion is scored by this execution). @default false */
  readonly scoredByPipeline?: boolean;
  /**
   * A pre-training step (the feature store query) writes each run's training channel at
   * `<run prefix><channelInRun>` in the artifacts bucket: validation and training read it there
   * instead of the dataset prefix. @default - the dataset prefix
   */
  readonly channelInRun?: string;
}

/** Input of an execution; every field is optional (a scheduled start gives scheduledTime). */
export interface ExecutionInput {
  readonly executionDate?: string;
  readonly scheduledTime?: string;
  readonly categories?: string[];
  readonly hyperparameters?: Record<string, string | number | boolean>;
  readonly experiment?: boolean;
  readonly trigger?: string;
  /** Key of the object whose arrival started the execution (data-arrival trigger). */
  readonly objectKey?: string;
}

/** One category's run: the item the Map iterates over. */
export interface RunItem extends PlannedRun {
  readonly datasetBucket: string;
  readonly datasetPrefix: string;
  readonly datasetUri: string;
  readonly outputBucket: string;
  /** Run prefix in the artifacts bucket (layout.runPrefix). */
  readonly outputPrefix: string;
  readonly outputUri: string;
  readonly checkpointUri: string;
  /** Training attempt, from 1; part of the job name (job names are unique forever). */
  readonly attempt: number;
  readonly datasetVersion?: string;
  readonly rows?: number;
  readonly jobName?: string;
  /** Quota and capacity retries so far, the seconds waited for them, and the jobs they created. */
  readonly capacityRetries?: number;
  readonly capacityWaitedSeconds?: number;
  readonly capacityJobs?: number;
}

/**
 * What the Map hands each branch: the run's identity and the execution's shared fields. The
 * branch's StartRun step derives the full {@link RunItem} from it, so the execution state holds
 * about 150 bytes per category instead of a whole item (Step Functions caps state at 256 KiB).
 */
export interface PlannedRun {
  readonly model: string;
  readonly category: string;
  readonly runId: string;
  readonly executionDate: string;
  readonly experiment: boolean;
  readonly trigger: string;
  readonly executionId: string;
  readonly hyperparameters: Record<string, string>;
  /** The training image as planned (pinned by digest when it was an ECR tag); absent in executions planned before. */
  readonly image?: string;
}

export interface PlanOutput {
  readonly model: string;
  readonly executionDate: string;
  readonly experiment: boolean;
  readonly trigger: string;
  readonly executionId: string;
  /** Reference time of freshness checks (ISO). */
  readonly referenceTime: string;
  /** Hyperparameters of every run (defaults overridden by the execution input). */
  readonly hyperparameters: Record<string, string>;
  /** The training image every version of the execution records: pinned by digest when the configured one is an ECR tag. */
  readonly image: string;
  /** One run per category: only what the Map iterates over. */
  readonly runs: Array<{ readonly category: string; readonly runId: string }>;
}

export type Outcome = 'PROMOTED' | 'REGISTERED' | 'PENDING_APPROVAL' | 'REJECTED' | 'APPROVAL_TIMED_OUT' | 'FAILED';

/**
 * Longest `reason` an outcome carries in the execution state (200 outcomes must fit in 256 KiB
 * with the rest); the whole failure cause stays on the run in the registry.
 */
export const OUTCOME_REASON_MAX = 300;

/** A reason cut to {@link OUTCOME_REASON_MAX} characters. */
export function briefReason(reason: string): string {
  return reason.length <= OUTCOME_REASON_MAX ? reason : `${reason.slice(0, OUTCOME_REASON_MAX - 1)}…`;
}

/** What one category's branch ends with. */
export interface CategoryOutcome {
  readonly category: string;
  readonly runId: string;
  readonly outcome: Outcome;
  readonly version?: number;
  readonly reason: string;
}

/** Step Functions error output of a Catch. */
export interface StepError {
  readonly Error?: string;
  readonly Cause?: string;
}
