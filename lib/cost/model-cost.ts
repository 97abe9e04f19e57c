// The monthly bill of one model, from its spec alone: serving at the declared traffic, DynamoDB
// reads and writes, training and scoring per scheduled run, storage growth, monitoring.
import { PREDICTIONS_ARCHIVE_TIERS } from '../data-lake/data-lake-lifecycle';
import { isEmailOwner } from '../platform/owner-notifications';
import { averageRunsPerMonth, parseCron } from '../spec/cron';
import { InferenceMode, ModelSpec, ServingFrontEnd, TrainingEngine } from '../spec/model-spec';
import { UnscopedLine, millions, qty } from './cost-line';
import { apiLines, serviceLines } from './front-end';
import { ingestionCostLines, ingestionsPerMonth } from './ingestion-cost';
import { fargateHostingLines } from './model-hosting';
import { RegionPrices, instanceHourPrice } from './prices';
import { requestsPerMonth, servingDemand } from './serving-demand';
import { HOURS_PER_MONTH, USAGE } from './usage';

const GB = 1e9;
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/**
 * Training runs a month: one per delivered window when ingestion triggers training (the schedule
 * is then created disabled), else the schedule's (a paused schedule runs only by hand: counted as none).
 */
export function runsPerMonth(spec: ModelSpec): number {
  if (spec.data.ingestion?.triggersTraining) return ingestionsPerMonth(spec.data.ingestion);
  if (!spec.schedule.enabled) return 0;
  const cron = parseCron(spec.schedule.cron);
  return typeof cron === 'string' ? 0 : averageRunsPerMonth(cron);
}

/**
 * Batch scorings a month: one after each training run (the pipeline scores every category), plus
 * one per `inference.schedule` firing (train weekly, score daily).
 */
export function scoringsPerMonth(spec: ModelSpec): number {
  if (!isBatch(spec)) return 0;
  const scheduled = spec.inference.schedule ? parseCron(spec.inference.schedule.cron) : undefined;
  return runsPerMonth(spec) + (scheduled === undefined || typeof scheduled === 'string' ? 0 : averageRunsPerMonth(scheduled));
}

export function modelCostLines(spec: ModelSpec, prices: RegionPrices, monthOfOperation: number): UnscopedLine[] {
  const runs = runsPerMonth(spec);
  const scorings = scoringsPerMonth(spec);
  return [
    ...servingCost(spec, prices),
    ...fargateHostingLines(spec, prices),
    ...storeCost(spec, prices, scorings),
    ...jobCost(spec, prices, runs, scorings),
    ...storageCost(spec, prices, scorings, monthOfOperation),
    ...monitoringCost(spec, prices, runs),
    ...ingestionCostLines(spec, prices),
    keysCost(spec, prices),
  ];
}

/** The customer keys of the model's own stack (MlopsPlatformStacks: one stack per model). */
function keysCost(spec: ModelSpec, prices: RegionPrices): UnscopedLine {
  const owner = isEmailOwner(spec.owner);
  const keys = USAGE.modelStackLogKeys + (owner ? USAGE.ownerTopicKeys : 0);
  return { group: 'keys', item: `KMS keys of the model's stack (log groups${owner ? ', owner topic' : ''})`, quantity: qty(keys, 'keys'), usd: keys * prices.kmsKeyMonth };
}

function servingCost(spec: ModelSpec, prices: RegionPrices): UnscopedLine[] {
  const demand = servingDemand(spec);
  switch (spec.inference.serving) {
    case ServingFrontEnd.SERVICE: return serviceLines(demand, prices);
    case ServingFrontEnd.API: return apiLines(demand, prices);
    default: return [];
  }
}

function isBatch(spec: ModelSpec): boolean {
  return spec.inference.mode === InferenceMode.BATCH || spec.inference.mode === InferenceMode.BOTH;
}

function storeCost(spec: ModelSpec, prices: RegionPrices, scorings: number): UnscopedLine[] {
  const lines: UnscopedLine[] = [];
  if (spec.inference.serving !== ServingFrontEnd.NONE) {
    const units = requestsPerMonth(servingDemand(spec)) * USAGE.readUnitsPerAnswer;
    lines.push({ group: 'store', item: `DynamoDB reads (${USAGE.readUnitsPerAnswer} RRU an answer, no cache hits)`, quantity: millions(units, 'RRU'), usd: (units / 1e6) * prices.dynamoPerMillionReadUnits });
  }
  if (isBatch(spec)) {
    const writes = scorings * USAGE.predictionsPerRun;
    // Items live the TTL plus the lazy-deletion lag; each run loads a full set.
    const liveDays = spec.inference.ttlSeconds / 86400 + USAGE.ttlLagDays;
    const gb = (USAGE.predictionsPerRun * Math.max(1, (scorings / DAYS_PER_MONTH) * liveDays) * USAGE.predictionItemBytes) / GB;
    lines.push(
      { group: 'store', item: `DynamoDB writes (${USAGE.predictionsPerRun.toLocaleString('en-US')} predictions a run)`, quantity: millions(writes, 'WRU'), usd: (writes / 1e6) * prices.dynamoPerMillionWriteUnits },
      { group: 'store', item: 'DynamoDB storage + PITR (TTL deletes are free)', quantity: qty(gb, 'GB'), usd: gb * (prices.dynamoStorageGbMonth + prices.dynamoPitrGbMonth) },
    );
  }
  return lines;
}

function jobCost(spec: ModelSpec, prices: RegionPrices, runs: number, scorings: number): UnscopedLine[] {
  const t = spec.training;
  const jobs = runs * spec.categories.length;
  const trainingHours = jobs * (Math.min(t.maxRuntimeSeconds / 60, USAGE.trainingMinutes) / 60) * t.instanceCount;
  const onDemand = instanceHourPrice(prices, 'training.instanceType', t.instanceType);
  const spotShare = t.spot ? USAGE.spotShare : 0;
  const hourly = onDemand * (1 - spotShare * USAGE.spotDiscount);
  const volumePrice = t.backend === TrainingEngine.SAGEMAKER ? prices.mlVolumeGbMonth : prices.ebsGbMonth;
  const lines: UnscopedLine[] = [{
    group: 'training', item: `${t.instanceType} x ${t.instanceCount}, ${USAGE.trainingMinutes} min a job (at most maxRuntime), ${spotShare * 100} % Spot at ${USAGE.spotDiscount * 100} % off`,
    quantity: `${qty(jobs, 'jobs')}, ${qty(trainingHours, 'h')}`,
    usd: trainingHours * hourly + trainingHours * t.volumeSizeGiB * (volumePrice / HOURS_PER_MONTH),
  }];
  if (isBatch(spec)) {
    const scoringJobs = scorings * spec.categories.length;
    const scoringHours = scoringJobs * (USAGE.scoringMinutes / 60);
    lines.push({
      group: 'scoring', item: `${USAGE.scoringInstanceType}, ${USAGE.scoringMinutes} min a category and run, On-Demand`,
      quantity: `${qty(scoringJobs, 'jobs')}, ${qty(scoringHours, 'h')}`, usd: scoringHours * instanceHourPrice(prices, 'scoring instance', USAGE.scoringInstanceType),
    });
  }
  return lines;
}

/**
 * Datasets grow by the daily size and move through Intelligent-Tiering (Frequent for 30 days,
 * Infrequent to 90, then Archive Instant); the predictions archive grows by each run's load and
 * ages through its lifecycle tiers.
 */
function storageCost(spec: ModelSpec, prices: RegionPrices, scorings: number, month: number): UnscopedLine[] {
  const days = month * DAYS_PER_MONTH;
  const gbPerDay = spec.data.dailySizeGiB * 2 ** 30 / GB;
  const frequent = Math.min(days, 30) * gbPerDay;
  const infrequent = Math.min(Math.max(days - 30, 0), 60) * gbPerDay;
  const archive = Math.max(days - 90, 0) * gbPerDay;
  const lines: UnscopedLine[] = [{
    group: 'storage', item: `datasets, ${spec.data.dailySizeGiB} GiB a day (data.dailySize), Intelligent-Tiering, month ${month}`,
    quantity: qty(frequent + infrequent + archive, 'GB'),
    usd: frequent * prices.s3StandardGbMonth + infrequent * prices.s3InfrequentGbMonth + archive * prices.s3ArchiveInstantGbMonth,
  }];
  if (isBatch(spec)) {
    // The archive's lifecycle (DataLake): Standard, then Standard-IA, then Glacier Instant Retrieval.
    const gbPerArchiveDay = (scorings * USAGE.predictionsPerRun * USAGE.predictionArchiveBytes) / GB / DAYS_PER_MONTH;
    const [ia, glacier] = PREDICTIONS_ARCHIVE_TIERS;
    const standard = Math.min(days, ia.afterDays) * gbPerArchiveDay;
    const infrequent = Math.min(Math.max(days - ia.afterDays, 0), glacier.afterDays - ia.afterDays) * gbPerArchiveDay;
    const archived = Math.max(days - glacier.afterDays, 0) * gbPerArchiveDay;
    lines.push({
      group: 'storage', item: `predictions archive (gzip; ${ia.label} after ${ia.afterDays} days, ${glacier.label} after ${glacier.afterDays}), month ${month}`,
      quantity: qty(standard + infrequent + archived, 'GB'),
      usd: standard * prices.s3StandardGbMonth + infrequent * prices.s3InfrequentGbMonth + archived * prices.s3GlacierInstantGbMonth,
    });
  }
  return lines;
}

function monitoringCost(spec: ModelSpec, prices: RegionPrices, runs: number): UnscopedLine[] {
  const serving = spec.inference.serving;
  const alarmMetrics = USAGE.alarmMetricsPerModel[serving];
  const composites = USAGE.compositeAlarmsPerModel[serving];
  const servingSeries = serving === ServingFrontEnd.NONE ? 0 : USAGE.servingMetricSeries;
  // Custom metrics are prorated by the hour: pipeline series exist about an hour per run.
  const metricMonths = servingSeries + USAGE.pipelineMetricSeries * Math.min(1, runs / HOURS_PER_MONTH);
  return [
    {
      group: 'monitoring', item: `alarms (${alarmMetrics} metrics read) and ${composites} paging composites`,
      quantity: qty(alarmMetrics, 'alarm metrics'), usd: alarmMetrics * prices.alarmMetricMonth + composites * prices.compositeAlarmMonth,
    },
    { group: 'monitoring', item: `custom metrics (${servingSeries} serving series, ${USAGE.pipelineMetricSeries} pipeline series an hour a run)`, quantity: qty(metricMonths, 'metric-months'), usd: metricMonths * prices.customMetricMonth },
    { group: 'monitoring', item: 'pipeline, drift and flow logs', quantity: qty(USAGE.pipelineLogsGb, 'GB'), usd: USAGE.pipelineLogsGb * prices.logsIngestedGb },
  ];
}
