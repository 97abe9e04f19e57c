// The resolved model spec: what `loadModelSpec` returns after validation and defaults. Every
// duration and size is a plain number with its unit in the name, so a spec is JSON-serializable
// (it can travel in a state machine input) and jsii-friendly. The YAML form a data scientist
// writes is described field by field in spec-fields.ts, the single source of truth that also
// generates schema/model-spec.schema.json; the compiler keeps the two in step.

// Enums shared with the constructs: one definition, so a spec value maps onto props unchanged.
import { ColumnType, DataFormat, MetricDirection, PromotionMode } from '../training-pipeline/training-policies';

export { ColumnType, DataFormat, MetricDirection, PromotionMode };

/** Where training and batch scoring run (the spec's `training.backend`). */
export enum TrainingEngine {
  /** SageMaker training jobs (managed Spot, per-second billing). */
  SAGEMAKER = 'sagemaker',
  /** AWS Batch on the platform's GPU compute environment (`GpuBatchCompute`). */
  BATCH = 'batch',
}

/** How predictions are produced. */
export enum InferenceMode {
  /** Precomputed after each training run, stored with a TTL and looked up when asked. */
  BATCH = 'batch',
  /** Computed on request by the model's own inference container. */
  ONLINE = 'online',
  /** Precomputed where available, computed on request otherwise. */
  BOTH = 'both',
}

/** The front end that answers prediction requests. */
export enum ServingFrontEnd {
  /** ALB + arm64 Fargate tasks: cheapest from a few dozen requests per second. */
  SERVICE = 'service',
  /** API Gateway HTTP API + Lambda: cheapest for low, spiky traffic; scales to zero. */
  API = 'api',
  /** No front end: batch predictions are only written to the store and the archive. */
  NONE = 'none',
}

/** Where the model answers real-time requests (`inference.mode: online` or `both`). */
export enum ModelHosting {
  /** A SageMaker real-time endpoint (`ModelEndpoint`): instance type and count, GPU allowed. */
  SAGEMAKER = 'sagemaker',
  /** The model's image as an ECS Fargate service behind an internal load balancer (`FargateModelService`): CPU only. */
  FARGATE = 'fargate',
}

/** The real-time model endpoint's capacity. */
export interface EndpointSpec {
  readonly instanceType: string;
  /** Instances outside peak windows (the scaling minimum). */
  readonly instanceCount: number;
  /** Most instances autoscaling may run (also the count during peak windows). */
  readonly maxInstanceCount: number;
  /** Requests per second one instance answers within the SLO; autoscaling tracks it. */
  readonly tpsPerInstance: number;
  /** Share of requests and responses captured (KMS-encrypted) for monitoring, 0-100. */
  readonly dataCapturePercent: number;
}

/** A cron schedule in a time zone. */
export interface ScheduleSpec {
  /** Five-field cron expression (minute hour day-of-month month day-of-week), e.g. `0 2 * * *`. */
  readonly cron: string;
  /** IANA time zone the cron is read in, e.g. `Europe/Paris`. */
  readonly timeZone: string;
  /** False pauses scheduled training (create the schedule disabled); manual runs still work. */
  readonly enabled: boolean;
}

/** When batch scoring runs on its own schedule (`inference.schedule`). */
export interface InferenceScheduleSpec {
  /** Five-field cron expression, e.g. `0 6 * * *` (06:00 every day). */
  readonly cron: string;
  /** IANA time zone the cron is read in (the training schedule's unless declared). */
  readonly timeZone: string;
}

/** One input column. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Whether empty values are allowed. */
  readonly nullable: boolean;
}

/** Where the training data lives and what it must look like. */
export interface DataSpec {
  /**
   * Prefix inside the platform's datasets bucket: `<model name>/` (the platform refuses any other
   * location at synth, with the fix). Objects are read from `<location><category>/<YYYY-MM-DD>/`.
   */
  readonly location: string;
  /** True when `location` is a full S3 URI outside the datasets bucket. */
  readonly external: boolean;
  readonly format: DataFormat;
  /** Expected columns; empty means the schema is not checked. */
  readonly columns: ColumnSpec[];
  /** Fewer rows than this fail data validation. */
  readonly minRows: number;
  /** Data older than this fails data validation (seconds). */
  readonly maxAgeSeconds: number;
  /**
   * New training data written a day, all categories together, in whole GiB (rounded up); the
   * cost model grows dataset storage from it.
   * @default 1
   */
  readonly dailySizeGiB: number;
  /** Scheduled ingestion (`data.ingestion`); undefined when data arrives by other means. */
  readonly ingestion?: IngestionSpec;
}

/** Scheduled ingestion: a job under the container contract (`MLOPS_MODE=ingest`) run on a cadence. */
export interface IngestionSpec {
  /** The cadence as written: a duration (`6h`) or a five-field cron. */
  readonly every: string;
  /** The cron when `every` is one; undefined for a duration cadence. */
  readonly cron?: string;
  /** Length of one ingestion window (the duration, or the cron's longest gap), in seconds. */
  readonly intervalSeconds: number;
  /** IANA time zone the cron, the window alignment and the dated keys are read in. */
  readonly timeZone: string;
  /** Command run in the image (it only writes files; the staging wrapper uploads them); undefined for a built-in source. Exactly one of `command` and `source`. */
  readonly command?: string[];
  /** Image URI of the job; undefined = the training image. */
  readonly image?: string;
  /** Whether each delivered window starts the training pipeline (once per window). */
  readonly triggersTraining: boolean;
  /** A built-in source fetched by a platform Lambda function instead of a job. Exactly one of `command` and `source`. */
  readonly source?: IngestionSourceSpec;
}

/** A built-in ingestion source (`data.ingestion.source`): exactly one of `s3` and `http`. */
export interface IngestionSourceSpec {
  readonly s3?: S3SourceSpec;
  readonly http?: HttpSourceSpec;
}

/** An S3 prefix, in this or another account, whose new objects each run copies (`<uri><category>/`). */
export interface S3SourceSpec {
  /** `s3://bucket/prefix/` as written. */
  readonly uri: string;
  readonly bucket: string;
  /** Key prefix ending in "/", or "" (the bucket's top level). */
  readonly prefix: string;
  /** ARN of the KMS key the objects are encrypted with; undefined when no grant is needed (SSE-S3, AWS managed key). */
  readonly kmsKey?: string;
}

/** An HTTP(S) endpoint each run GETs once per category. */
export interface HttpSourceSpec {
  /** URL with optional `{category}`, `{start}`, `{end}`. */
  readonly url: string;
  /** Secrets Manager secret name or complete ARN whose value is sent in `header`. */
  readonly secret?: string;
  readonly header: string;
}

/** How and where the model is trained. */
export interface TrainingSpec {
  /** Image URI, when the spec names one (`image: 123.dkr.ecr...`); exclusive with `imageDirectory`. */
  readonly imageUri?: string;
  /** Absolute path of the Dockerfile folder, when the spec names one (`image: ./container`). */
  readonly imageDirectory?: string;
  readonly backend: TrainingEngine;
  /** e.g. `ml.m5.large` (SageMaker) or `g5.xlarge` (Batch). */
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly spot: boolean;
  /** Longest wait for Spot capacity plus runtime, in seconds (SageMaker `MaxWaitTimeInSeconds`). */
  readonly maxWaitSeconds: number;
  /** Longest a single training attempt may run (seconds). */
  readonly maxRuntimeSeconds: number;
  /** Attempts after the first when training fails (capacity, Spot interruption). */
  readonly retries: number;
  readonly volumeSizeGiB: number;
  /** Cap on the vCPUs of the Batch compute environment (the cost ceiling); only for `backend: batch`. */
  readonly maxVcpus?: number;
  /**
   * Training command for `backend: batch`, run by the staging wrapper once inputs are in place
   * (Batch cannot run an image's ENTRYPOINT around the wrapper). Empty for SageMaker, which runs
   * the image's ENTRYPOINT with the argument `train`.
   */
  readonly command: string[];
  /** Passed to the container as strings in hyperparameters.json. */
  readonly hyperparameters: Record<string, string>;
  /** Categories trained at once (the Map's MaxConcurrency). */
  readonly maxConcurrency: number;
  /** Percentage of categories that may fail (bad data, training) while the day's execution still succeeds. */
  readonly toleratedFailures: number;
  /** Revision of the training code recorded on every version; see `codeRevision` in ModelDeployment for the build-time defaults. */
  readonly codeRevision?: string;
}

/** How a new version is judged and promoted. */
export interface EvaluationSpec {
  /** Key in the run's metrics.json, e.g. `rmse`. */
  readonly metric: string;
  readonly direction: MetricDirection;
  /** The challenger must beat the champion by at least this much (absolute, in metric units). */
  readonly minImprovement: number;
  /** A version whose metric is worse than this is never promoted; undefined = no threshold. */
  readonly threshold?: number;
  readonly promotion: PromotionMode;
  /** How long a manual approval may wait before the version is left unpromoted (seconds). */
  readonly approvalTimeoutSeconds: number;
}

/**
 * A declarative answer rule, in the prediction core's format (lambda/shared/predict/rules.ts):
 * it matches when every condition in `when` holds (no `when` = always); the first match of a
 * list wins. Facts: `entityId`, `category`, `version`, and `prediction` (override rules only).
 * Operators: equals, notEquals, oneOf, notOneOf, prefix, gt, gte, lt, lte, exists.
 * Example: `{ name: "never-negative", when: { prediction: { lt: 0 } }, prediction: 0 }`.
 */
export interface RuleSpec {
  /** Unique within its list; reported as `rule` in the prediction answer. */
  readonly name: string;
  /** Fact name to `{ operator: operand }`; all must hold. Undefined = always matches. */
  readonly when?: { [fact: string]: { [operator: string]: any } };
  /** The answer the rule gives (any JSON value, null included). */
  readonly prediction: any;
}

/** The rule lists of a model, passed unchanged to the prediction service. */
export interface RulesSpec {
  /** Checked before the lookup; a match answers at once (source "rule"). */
  readonly prefilter: RuleSpec[];
  /** Checked against the model's answer; a match replaces it (source "rule"). */
  readonly override: RuleSpec[];
  /** Checked when there is no valid prediction (missing, expired, no production version, store error); source "fallback". */
  readonly fallback: RuleSpec[];
}

/** Expected traffic in requests per second. */
export interface TrafficSpec {
  readonly min: number;
  readonly avg: number;
  readonly max: number;
}

/** A known busy period. */
export interface PeakWindowSpec {
  /** Five-field cron of the window's start (`08:00` in the YAML means `0 8 * * *`). */
  readonly startCron: string;
  readonly durationSeconds: number;
  /** Requests per second expected during the window. */
  readonly tps: number;
}

/** How clients reach an ALB + Fargate prediction endpoint (`inference.access.mode`). */
export enum AccessMode {
  /** An internal load balancer: clients in the platform VPC, or in VPCs routed to it and given by CIDR or prefix list. */
  VPC = 'vpc',
  /** An internal load balancer behind an NLB and a VPC endpoint service: clients in other accounts connect through an interface endpoint. */
  PRIVATE_LINK = 'private-link',
  /** An internet-facing load balancer: HTTPS only, and only clients with a certificate from the trust store (mutual TLS). */
  INTERNET = 'internet',
}

/** How clients reach the prediction endpoint (service front end only). */
export interface AccessSpec {
  readonly mode: AccessMode;
  /** CIDRs of client networks routed to the platform VPC (peering, Transit Gateway, VPN), besides the VPC itself (mode vpc). */
  readonly clientCidrs: string[];
  /** Managed prefix list ids of client networks (mode vpc). */
  readonly clientPrefixLists: string[];
  /** IAM principal ARNs allowed to connect an interface endpoint (mode private-link), e.g. `arn:aws:iam::111122223333:root`. */
  readonly allowedPrincipals: string[];
  /** ACM certificate of the HTTPS listener (required for mode internet). */
  readonly certificateArn?: string;
  /** ELB trust store holding the client CA bundle (required for mode internet: mutual TLS). */
  readonly trustStoreArn?: string;
}

/** Latency objectives of online answers, measured at the front end. */
export interface SloSpec {
  readonly p95Ms: number;
  readonly p99Ms: number;
}

/** How predictions are produced and served. */
export interface InferenceSpec {
  readonly mode: InferenceMode;
  /** How long a batch prediction lives (seconds); also the recovery point objective. */
  readonly ttlSeconds: number;
  /**
   * Scores every category with its served version on this schedule, independent of training
   * (train weekly, score daily). Undefined: scoring runs at the end of each training run only.
   */
  readonly schedule?: InferenceScheduleSpec;
  /** The recovery point objective (seconds): the oldest a served prediction may be. */
  readonly rpoSeconds: number;
  /** The front end: as declared, or chosen from the expected traffic (see `servingReason`). */
  readonly serving: ServingFrontEnd;
  /** Why this front end: "declared in the spec" or the traffic-based choice, for the synth output. */
  readonly servingReason: string;
  /** Name of the serving service; two models may never share one. Defaults to the model name. */
  readonly serviceName: string;
  readonly tps: TrafficSpec;
  readonly peakWindows: PeakWindowSpec[];
  readonly slo: SloSpec;
  /** Declared time the model takes for one prediction (ms), for online/both. */
  readonly modelLatencyMs: number;
  /** Where the model answers real-time requests (online/both). */
  readonly hosting: ModelHosting;
  /** Capacity of the real-time model endpoint (online/both). */
  readonly endpoint: EndpointSpec;
  /** Prefilter, override and fallback rules (declarative JSON, never evaluated as code). */
  readonly rules: RulesSpec;
  /** How clients reach the endpoint of a `service` front end. */
  readonly access: AccessSpec;
  /** Size and command of the Fargate model service (`hosting: fargate`). */
  readonly fargate: FargateHostingSpec;
  /** Long inferences answered as jobs (`POST ...:submit`, `GET .../jobs/{jobId}`); undefined: no jobs. */
  readonly async?: AsyncInferenceSpec;
  /** Serial or parallel composition of steps around (or instead of) the model's own endpoint; undefined: the model alone. */
  readonly composition?: CompositionSpec;
}

/** The Fargate model service (`inference.hosting: fargate`): CPU only, scaled like the prediction service. */
export interface FargateHostingSpec {
  /** CPU units of a task (1024 = 1 vCPU), one of Fargate's sizes. */
  readonly cpu: number;
  /** Memory of a task in MiB, within what Fargate allows for `cpu`. */
  readonly memoryMiB: number;
  /** Tasks outside peak windows (the scaling minimum). */
  readonly taskCount: number;
  /** Most tasks autoscaling may run (also the count during peak windows). */
  readonly maxTaskCount: number;
  /** Requests per second one task answers within the SLO; autoscaling tracks request count per task at this rate. */
  readonly tpsPerTask: number;
  /** The image's serve command (run after the version's model is unpacked into /opt/ml/model), e.g. `["python3", "/opt/program/serve.py"]`. */
  readonly command: string[];
}

/**
 * `inference.async`: jobs on an SQS queue, answered by Lambda workers that call the model's
 * real-time endpoint; results in S3, jobs in DynamoDB, failures in a dead-letter queue.
 */
export interface AsyncInferenceSpec {
  /** Most time one model call of a job may take (seconds). */
  readonly timeoutSeconds: number;
  /** Largest `:submit` body (bytes). */
  readonly maxPayloadBytes: number;
  /** How long a job and its result are kept after submission (seconds). */
  readonly resultRetentionSeconds: number;
  /** How long clients keep polling for a result after submitting (seconds). */
  readonly pollWindowSeconds: number;
  /** Deliveries of a job before it fails and its message moves to the dead-letter queue. */
  readonly maxAttempts: number;
  /** Most jobs answered at once (workers), which protects the endpoint. */
  readonly maxConcurrency: number;
}

// --- inference.composition (serial and parallel compositions, issue 12 §3) ---
/** How the steps of a composition run (`inference.composition`). */
export enum CompositionKind {
  /** One after the other: each step gets the previous step's answer (preprocess -> model -> postprocess). */
  SERIAL = 'serial',
  /** All at once, their predictions combined. */
  PARALLEL = 'parallel',
}

/** How the answers of parallel branches become one prediction. */
export enum CombineMethod {
  /** Arithmetic mean of the numeric predictions that answered. */
  MEAN = 'mean',
  /** Mean weighted by each branch's `weight` (normalised over the branches that answered). */
  WEIGHTED_MEAN = 'weighted-mean',
  /** The prediction with the most weight behind it (ties: the earliest branch). */
  VOTE = 'vote',
  /** The first branch to answer within the budget. */
  FIRST = 'first',
}

/** One serial step or parallel branch. Exactly one of `imageUri`, `functionName`, `model` (or none: the model's own endpoint, serial only). */
export interface CompositionStepSpec {
  readonly name: string;
  /** An image serving the contract (`POST /invocations`), hosted on its own SageMaker endpoint. */
  readonly imageUri?: string;
  /** A Lambda function (name or ARN) the front end invokes (serial steps). */
  readonly functionName?: string;
  /** A model of the platform, called on its real-time endpoint (parallel branches; its own name for itself). */
  readonly model?: string;
  /** Declared latency (ms); undefined for another model's branch (its spec declares it). */
  readonly latencyMs?: number;
  /** Weight of a branch in `weighted-mean` and `vote`. */
  readonly weight: number;
  /** Most time a branch may take (ms); undefined: the latency budget. */
  readonly timeoutMs?: number;
}

/** A composition: serial steps or parallel branches. */
export interface CompositionSpec {
  readonly kind: CompositionKind;
  /** Serial steps in order, or parallel branches. */
  readonly steps: CompositionStepSpec[];
  /** How parallel branches combine (serial: undefined). */
  readonly combine?: CombineMethod;
  /** Branches that must answer for a combined prediction (parallel); fewer: a fallback answer. */
  readonly quorum: number;
}
// --- end inference.composition ---

/** An accepted pattern-check finding, with the reason a reviewer would accept. */
export interface CheckAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** A validated model spec with every default applied. */
export interface ModelSpec {
  /** Model name (registry key): from `name:` or the spec's folder name. */
  readonly name: string;
  /** Absolute path of the spec file (or `<inline>`). */
  readonly file: string;
  readonly description: string;
  readonly owner: string;
  /** Training schedule (daily at 02:00 UTC unless declared; may be paused). */
  readonly schedule: ScheduleSpec;
  /** One model version line per category; `["default"]` when none are declared. */
  readonly categories: string[];
  readonly data: DataSpec;
  readonly training: TrainingSpec;
  readonly evaluation: EvaluationSpec;
  readonly inference: InferenceSpec;
  /** Pattern-check findings accepted for this model. */
  readonly acknowledgements: CheckAcknowledgement[];
  /** Feature groups and a training set built from them (`features`); undefined: no feature store. */
  readonly features?: FeaturesSpec;
}

// --- features (SageMaker Feature Store, lib/feature-store) ---
/** A feature's type in SageMaker Feature Store. */
export enum FeatureType {
  INTEGRAL = 'Integral',
  FRACTIONAL = 'Fractional',
  STRING = 'String',
}

export interface FeatureDefinitionSpec {
  readonly name: string;
  readonly type: FeatureType;
}

/** A feature group created in this model's stack; other models may join it by name. */
export interface FeatureGroupSpec {
  readonly name: string;
  readonly description?: string;
  /** The feature identifying a record (e.g. customer_id). */
  readonly recordIdentifier: string;
  /** The String feature holding each record's ISO-8601 event time. */
  readonly eventTime: string;
  /** Whether the low-latency online store is enabled as well as the offline store. */
  readonly online: boolean;
  readonly definitions: FeatureDefinitionSpec[];
}

/** A feature group joined as of each training row's event time; every name resolved. */
export interface FeatureJoinSpec {
  readonly group: string;
  /** The labels feature matched against the group's record identifier. */
  readonly key: string;
  readonly recordIdentifier: string;
  readonly eventTime: string;
  readonly features: string[];
}

/** The training channel as an offline-store query: labels rows with features as of their time. */
export interface FeatureTrainingSpec {
  /** The group (declared in this spec) whose records are the training rows. */
  readonly labels: string;
  /** Labels features in the training set after the identifier and event time. */
  readonly columns: string[];
  /** A labels feature holding the category; each category's run gets its rows only. */
  readonly category?: string;
  readonly join: FeatureJoinSpec[];
}

export interface FeaturesSpec {
  readonly groups: FeatureGroupSpec[];
  readonly training?: FeatureTrainingSpec;
}
// --- end features ---
