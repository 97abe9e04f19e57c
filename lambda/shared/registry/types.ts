import type { MetricSeries } from './metric-series';
/** Lifecycle of a version. Being in production is not a status: the production pointer says it. */
export type VersionStatus = 'REGISTERED' | 'PENDING_APPROVAL' | 'APPROVED' | 'REJECTED';
export const VERSION_STATUSES: readonly VersionStatus[] = ['REGISTERED', 'PENDING_APPROVAL', 'APPROVED', 'REJECTED'];

export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'STOPPED'];

export type Direction = 'maximize' | 'minimize';

/**
 * How a model's promoted versions get served. BATCH: once batch inference has loaded the
 * version's predictions (two-phase promotion). NONE: the model has no batch inference (online
 * inference only), so nothing would ever load them: the served pointer follows the desired one
 * at once. A record without it (written before this was recorded) counts as BATCH.
 */
/**
 * How a model's promoted versions get served: BATCH once their predictions are loaded, NONE at
 * once (nothing loads them), ENDPOINT once its real-time endpoint (or Fargate service) serves them.
 */
export type ModelScoring = 'BATCH' | 'NONE' | 'ENDPOINT';
export const MODEL_SCORINGS: readonly ModelScoring[] = ['BATCH', 'NONE', 'ENDPOINT'];

export interface ModelRecord {
  readonly model: string;
  readonly description?: string;
  readonly owner?: string;
  /** How promoted versions get served; absent means BATCH. */
  readonly scoring?: ModelScoring;
  /** Categories that have at least one registered version. */
  readonly categories: string[];
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface ModelVersion {
  readonly model: string;
  readonly category: string;
  readonly version: number;
  readonly status: VersionStatus;
  readonly artifactUri: string;
  readonly metrics: Record<string, number>;
  /** Hash of the dataset manifest the version was trained on. */
  readonly datasetVersion?: string;
  /** Container image (URI with digest where known). */
  readonly image?: string;
  /** Revision of the training code (e.g. a git commit), when the pipeline was given one. */
  readonly codeRevision?: string;
  readonly hyperparameters: Record<string, string>;
  readonly runId?: string;
  /** Logical date of the training execution (YYYY-MM-DD). */
  readonly executionDate?: string;
  readonly description?: string;
  /**
   * Where the artifact was registered, when promotion copied it under `runs/` because it lay
   * under `experiments/` (which expires); `artifactUri` is the copy.
   */
  readonly originalArtifactUri?: string;
  readonly registeredAt: string;
  readonly registeredBy: string;
  readonly statusReason?: string;
  readonly statusChangedAt?: string;
  readonly statusChangedBy?: string;
}

export interface ProductionPointer {
  readonly model: string;
  readonly category: string;
  readonly version: number;
  /** Number of promotion events so far for (model, category); the newest event has this sequence. */
  readonly sequence: number;
  readonly since: string;
  readonly promotedBy: string;
  /**
   * Set by two-phase promotion: the served version is tracked apart (see ServedPointer). A
   * pointer without it predates two-phase promotion and is treated as served.
   */
  readonly servedTracked?: boolean;
}

/**
 * The version prediction servers answer with. It moves to the desired version (the production
 * pointer) only once that version's predictions are loaded and fresh, so promoting never opens
 * a window of fallback answers.
 */
export interface ServedPointer {
  readonly model: string;
  readonly category: string;
  readonly version: number;
  /** Sequence of the promotion event that made this version desired. */
  readonly sequence: number;
  /** When the served pointer moved to this version. */
  readonly since: string;
  /** When this version was promoted (became desired). */
  readonly promotedAt: string;
  /** generatedAt of the served predictions; absent for a pointer carried over from before two-phase promotion. */
  readonly generatedAt?: string;
}

/** UPDATING: traffic is shifting to the version; IN_SERVICE: it takes all traffic; FAILED: the shift failed or rolled back. */
export type EndpointShiftStatus = 'UPDATING' | 'IN_SERVICE' | 'FAILED';

/**
 * Which version a model's real-time endpoint serves for (model, category), kept apart from the
 * served pointer (which batch loads move for `mode: both`). Written with the promotion's sequence:
 * an older promotion never overwrites a newer one's record.
 */
export interface EndpointRecord {
  readonly model: string;
  readonly category: string;
  readonly endpointName: string;
  /** The version being shifted to (UPDATING), served (IN_SERVICE) or that failed (FAILED). */
  readonly version: number;
  /** Sequence of the promotion event that asked for it. */
  readonly sequence: number;
  /** The endpoint config holding the version. */
  readonly endpointConfigName: string;
  readonly status: EndpointShiftStatus;
  /** The version that takes all traffic after the last finished shift, if any. */
  readonly servingVersion?: number;
  /** Why the shift failed (DescribeEndpoint FailureReason or the API's error). */
  readonly failureReason?: string;
  readonly updatedAt: string;
}

/** The newest completed load of a version's predictions for (model, category). */
export interface PredictionLoad {
  readonly model: string;
  readonly category: string;
  readonly version: number;
  readonly generatedAt: string;
  readonly loadedAt: string;
  /** When the loaded predictions expire (generatedAt + TTL). */
  readonly expiresAt: string;
}

export type PromotionKind = 'PROMOTE' | 'ROLLBACK';

/** One change of a version's status (kept, not only the last one): who, when, why. */
export interface VersionStatusChange {
  readonly model: string;
  readonly category: string;
  readonly version: number;
  readonly status: VersionStatus;
  readonly actor: string;
  readonly reason: string;
  readonly at: string;
}

export interface PromotionEvent {
  readonly model: string;
  readonly category: string;
  readonly sequence: number;
  readonly kind: PromotionKind;
  /** Production version before the event; absent for the first promotion. */
  readonly fromVersion?: number;
  readonly toVersion: number;
  readonly actor: string;
  readonly reason: string;
  /** When the version became desired. */
  readonly at: string;
  /** How the version gets its predictions (see ScoringNeed); the ScoreOnPromotion rule scores NEEDED only. */
  readonly scoring?: ScoringNeed;
  /** When the version became served (equal to `at` when its predictions were already fresh). */
  readonly servedAt?: string;
  /** Why scoring the version failed (the served version stayed where it was). */
  readonly scoringFailure?: string;
  readonly scoringFailedAt?: string;
}

/**
 * NEEDED: no fresh predictions at promotion, the ScoreOnPromotion rule scores the version on
 * this event. NOT_NEEDED: its predictions were still loaded, served at once. BY_PIPELINE: the
 * promoting training execution scores every category after training (so the rule must not
 * score it a second time). NO_BATCH: the model has no batch inference, served at once.
 * BY_ENDPOINT: an online model, served once its endpoint's shift settles in service (markShifted).
 */
export type ScoringNeed = 'NEEDED' | 'NOT_NEEDED' | 'BY_PIPELINE' | 'NO_BATCH' | 'BY_ENDPOINT';

export interface Run {
  readonly runId: string;
  readonly model: string;
  readonly category: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly executionDate?: string;
  readonly hyperparameters: Record<string, string>;
  readonly metrics: Record<string, number>;
  /** Named artifact URIs (model, metrics, output). */
  readonly artifacts: Record<string, string>;
  readonly logUrl?: string;
  readonly failureCause?: string;
  /** Experiment runs are recorded like any other but never promoted. */
  readonly experiment: boolean;
  /** What started the run: schedule, manual, data-arrival, drift. */
  readonly trigger?: string;
  readonly executionArn?: string;
  readonly datasetVersion?: string;
  readonly version?: number;
  /** The run's training job as its engine reported it when the job ended (latest attempt). */
  readonly job?: RunJob;
  /** The training image (`repo@sha256:...` when pinned by digest). */
  readonly image?: string;
  /** The run's metric curves from `metrics.jsonl` (thinned to fit; the file is `artifacts.metricSeries`). */
  readonly metricSeries?: MetricSeries;
  /** Free-form labels set with `mlops tag` (name to value). */
  readonly tags?: Record<string, string>;
  /** Notes added with `mlops note`, oldest first. */
  readonly notes?: RunNote[];
  /** The MLflow run this run was mirrored to (ExperimentTracking on). */
  readonly mlflow?: { readonly experimentId: string; readonly runId: string };
}

/** A note on a run: who wrote what, when. */
export interface RunNote {
  readonly at: string;
  readonly actor: string;
  readonly text: string;
}

/** One entry of a job's status history (SageMaker secondary statuses, Batch attempts). */
export interface RunJobStatus {
  readonly status: string;
  /** ISO time the status began. */
  readonly at?: string;
  /** ISO time it ended. */
  readonly until?: string;
  readonly message?: string;
}

/** What a run's training job was: its failure reason, history, cost and where its log is. */
export interface RunJob {
  readonly engine: 'sagemaker' | 'batch';
  /** Job name (`<runId>-<attempt>`). */
  readonly name: string;
  /** Batch job id (Batch only). */
  readonly id?: string;
  readonly attempt: number;
  /** The engine's final status (SageMaker Completed / Failed / Stopped, Batch SUCCEEDED / FAILED). */
  readonly status: string;
  /** Why it failed: SageMaker's FailureReason; for Batch the status reason, the container's reason and the staging wrapper's failure file. */
  readonly failureReason?: string;
  readonly statusHistory: RunJobStatus[];
  /** Seconds billed (SageMaker BillableTimeInSeconds; Batch: seconds its attempts' containers ran). */
  readonly billableSeconds?: number;
  /** The job in the AWS console. */
  readonly consoleUrl: string;
  readonly logGroup: string;
  /** The log stream (Batch), or the prefix of the job's streams (SageMaker `<job>/algo-1-`). */
  readonly logStream: string;
}

/** One page of a listing; pass `nextToken` back to get the next page. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}
