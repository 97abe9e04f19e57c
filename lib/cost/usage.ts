// What the cost model assumes where a spec declares nothing: sizes of a request, how long jobs
// run, how much is logged. Each figure says where it comes from; change one here and every
// bill (CLI, synth, docs) follows.
import { PREDICT_DEFAULTS } from '../../lambda/shared/predict/constants';

/** Hours in the month every bill is for (AWS's own convention). */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

export const USAGE = {
  /** PredictionService's task size and the load one task carries (its defaults). */
  taskVcpu: 0.5,
  taskMemoryGb: PREDICT_DEFAULTS.memoryMiB / 1024,
  tpsPerTask: 300,
  /** Request + response bytes through the load balancer or API (a lookup answer is < 1 KB). */
  bytesPerExchange: 1024,
  /** DynamoDB read units per online answer: one eventually consistent GetItem, no cache hit. */
  readUnitsPerAnswer: 0.5,
  /** Share of requests the server logs (slow, rejected and non-model answers only), bytes a line. */
  loggedRequestShare: 0.01,
  logLineBytes: 400,
  /** ALB access log bytes per request after gzip, kept 90 days in S3. */
  albAccessLogBytes: 50,
  albAccessLogMonths: 3,
  /** Metrics Container Insights publishes per service (cluster, service, task family). */
  containerInsightsMetrics: 30,
  /** Prediction function: time per answer and memory (PredictionApi's default 1024 MB). */
  lambdaMsPerAnswer: 20,
  lambdaMemoryGb: 1,
  /** API access log line plus Lambda's JSON platform lines (start, end, report) per request. */
  apiLogBytesPerRequest: 900,
  /** X-Ray's default sampling: the first request each second, then 5 % of the rest. */
  xrayReservoirPerSecond: 1,
  xraySampledShare: 0.05,
  /** Billed minutes of one training job and one scoring job (each category, each run). */
  trainingMinutes: 20,
  scoringMinutes: 10,
  /** BatchInference's default scoring instance (On-Demand; SageMaker transform has no Spot). */
  scoringInstanceType: 'ml.m5.xlarge',
  /** Spot price below On-Demand (varies by type and AZ), and the share of hours that get it. */
  spotDiscount: 0.7,
  spotShare: 0.9,
  /** Predictions loaded by one scoring run of a model (all categories), and their sizes. */
  predictionsPerRun: 1_000_000,
  predictionItemBytes: 300,
  predictionArchiveBytes: 100,
  /** DynamoDB TTL deletes lazily, up to ~2 days late: expired items are stored that long. */
  ttlLagDays: 2,
  /** Custom metric series per model: serving (every minute), pipeline (about an hour per run). */
  servingMetricSeries: 16,
  pipelineMetricSeries: 28,
  /** Metrics read by alarms, counted in the synthesized stacks (a metric-math alarm pays per metric). */
  alarmMetricsPlatform: 23,
  alarmMetricsPerModel: { service: 31, api: 29, none: 21 } as Readonly<Record<string, number>>,
  /** Paging composite alarms (one per model and area; the shared store's once). */
  compositeAlarmsPlatform: 1,
  compositeAlarmsPerModel: { service: 2, api: 2, none: 1 } as Readonly<Record<string, number>>,
  /** KMS keys of the platform stack: the data key, the topic key and the stack's log key (MlopsLogGroup). */
  platformKeys: 3,
  /** KMS keys of a model's stack: its log key, plus the owner topics' key when the spec names an owner. */
  modelStackLogKeys: 1,
  ownerTopicKeys: 1,
  /** Availability Zones of the network (each interface endpoint is billed per AZ). */
  availabilityZones: 2,
  /** Logs of the pipelines, drift runs and flow logs, per model a month. */
  pipelineLogsGb: 0.5,
  /** DataIngestion's task definition (1024 CPU units, 2048 MiB) and how long one window's job runs. */
  ingestionTask: { vcpu: 1, memoryGb: 2, minutes: 5 },
  /** Task states of the ingestion state machine: window, job, delivery (one transition each). */
  ingestionTransitionsPerRun: 3,
  /** Ingestion functions a run (memory as configured, duration assumed): the window, the delivery, the training trigger. */
  ingestionFunctions: {
    window: { memoryGb: 0.5, seconds: 1 },
    deliver: { memoryGb: 1, seconds: 20 },
    trainOnArrival: { memoryGb: 0.5, seconds: 1 },
  },
  /** Alarms of an ingestion: missed, empty and failed deliveries (one metric each). */
  ingestionAlarmMetrics: 3,
  /** Job, function and execution log (every state's input and output) megabytes per window. */
  ingestionLogMbPerRun: 0.2,
};

/** Interface endpoints a Fargate service needs (S3 and DynamoDB use free gateway endpoints). */
export const SERVICE_ENDPOINTS = ['ecr.api', 'ecr.dkr', 'logs'];
/** Interface endpoints AWS Batch instances need (the ECS agent's besides the image and log ones). */
export const BATCH_ENDPOINTS = ['ecr.api', 'ecr.dkr', 'ecs', 'ecs-agent', 'ecs-telemetry', 'logs'];
