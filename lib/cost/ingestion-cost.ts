// The monthly bill of a model's scheduled ingestion (`data.ingestion`, the DataIngestion
// construct): the Fargate task each window runs, the state machine's transitions, its functions,
// alarms and logs. The task size is the construct's task definition (test/cost/ingestion-cost.test.ts
// checks it against a synthesized template).
import { averageRunsPerMonth, parseCron } from '../spec/cron';
import { IngestionSpec, ModelSpec } from '../spec/model-spec';
import { UnscopedLine, qty } from './cost-line';
import { RegionPrices } from './prices';
import { SECONDS_PER_MONTH, USAGE } from './usage';

/** Windows a month: the duration cadence's, or the cron's average firings. */
export function ingestionsPerMonth(ingestion: IngestionSpec): number {
  if (ingestion.cron === undefined) return SECONDS_PER_MONTH / ingestion.intervalSeconds;
  const cron = parseCron(ingestion.cron);
  return typeof cron === 'string' ? 0 : averageRunsPerMonth(cron);
}

export function ingestionCostLines(spec: ModelSpec, prices: RegionPrices): UnscopedLine[] {
  const ingestion = spec.data.ingestion;
  if (!ingestion) return [];
  const runs = ingestionsPerMonth(ingestion);
  const task = USAGE.ingestionTask;
  // Fargate bills per second with a one-minute minimum; the job runs its own image on arm64,
  // the training image (built for x86_64) on x86_64 (ModelDeployment).
  const arm = ingestion.image !== undefined;
  const taskHours = runs * Math.max(1, task.minutes) / 60;
  const taskUsd = taskHours * (task.vcpu * (arm ? prices.fargateArmVcpuHour : prices.fargateX86VcpuHour) + task.memoryGb * (arm ? prices.fargateArmGbHour : prices.fargateX86GbHour));
  const transitions = runs * USAGE.ingestionTransitionsPerRun;
  const { window, deliver, trainOnArrival } = USAGE.ingestionFunctions;
  const functions = ingestion.triggersTraining ? [window, deliver, trainOnArrival] : [window, deliver];
  const invocations = runs * functions.length;
  const gbSeconds = runs * functions.reduce((s, f) => s + f.memoryGb * f.seconds, 0);
  const logsGb = runs * USAGE.ingestionLogMbPerRun / 1000;
  return [
    {
      group: 'ingestion', item: `job on Fargate ${task.vcpu} vCPU ${task.memoryGb} GB ${arm ? 'arm64' : 'x86_64'}, ${task.minutes} min a window (data.ingestion every ${ingestion.every})`,
      quantity: `${qty(runs, 'runs')}, ${qty(taskHours, 'task-h')}`, usd: taskUsd,
    },
    {
      group: 'ingestion', item: `state machine (${USAGE.ingestionTransitionsPerRun} transitions a run) and ${functions.length} function calls a run`,
      quantity: `${qty(transitions, 'transitions')}, ${qty(gbSeconds, 'GB-s')}`,
      usd: (transitions / 1000) * prices.stepFunctionsPerThousandTransitions + (invocations / 1e6) * prices.lambdaPerMillionRequests + gbSeconds * prices.lambdaArmGbSecond,
    },
    {
      group: 'ingestion', item: `alarms (${USAGE.ingestionAlarmMetrics} metrics read: missed, empty, failed delivery) and job, function and execution logs`,
      quantity: `${qty(USAGE.ingestionAlarmMetrics, 'alarm metrics')}, ${qty(logsGb, 'GB')}`,
      usd: USAGE.ingestionAlarmMetrics * prices.alarmMetricMonth + logsGb * prices.logsIngestedGb,
    },
  ];
}
