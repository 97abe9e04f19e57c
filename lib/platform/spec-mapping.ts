// Pure translations from a validated model spec to construct props. Kept apart from the
// constructs so each rule (units, schedules, peak windows) reads and tests on its own.
import { Duration, TimeZone } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ServiceAccessProps } from '../prediction-service/service-access';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { weekdayCron } from '../prediction-service/peak-schedule';
import { PeakWindow, ServedModelProps } from '../prediction-service/serving-props';
import { maxIntervalMs, parseCron, toEventBridgeCron } from '../spec/cron';
import { batchFreshness } from '../spec/freshness';
import { ModelSpec, TrainingEngine } from '../spec/model-spec';
import { DataValidationOptions, EvaluationPolicy } from '../training-pipeline/training-policies';

function cronOf(field: string, expression: string) {
  const parsed = parseCron(expression);
  if (typeof parsed === 'string') throw new Error(`${field} ${JSON.stringify(expression)} is invalid: ${parsed}`);
  return parsed;
}

/** EventBridge Scheduler expression of the training schedule; undefined when the spec pauses it. */
export function trainingSchedule(spec: ModelSpec): scheduler.ScheduleExpression | undefined {
  if (!spec.schedule.enabled) return undefined;
  const cron = cronOf('schedule.cron', spec.schedule.cron);
  return scheduler.ScheduleExpression.expression(toEventBridgeCron(cron), TimeZone.of(spec.schedule.timeZone));
}

/**
 * EventBridge Scheduler expression of the scoring schedule (`inference.schedule`, read in its
 * time zone); undefined when scoring only follows training.
 */
export function scoringSchedule(spec: ModelSpec): scheduler.ScheduleExpression | undefined {
  const s = spec.inference.schedule;
  if (!s) return undefined;
  return scheduler.ScheduleExpression.expression(toEventBridgeCron(cronOf('inference.schedule.cron', s.cron)), TimeZone.of(s.timeZone));
}

/**
 * The freshness alarms' pace and warning age, from the same rule as the TTL pattern check
 * (lib/spec/freshness.ts): the scoring interval when scoring has its own schedule, and the
 * lateness a batch is allowed (retries, Spot waits).
 */
export function predictionFreshness(spec: ModelSpec): { batchInterval: Duration; warningAge?: Duration } {
  const f = batchFreshness(spec);
  if (f?.intervalMs === undefined || f.warningMs === undefined) return { batchInterval: scheduleInterval(spec) };
  return { batchInterval: Duration.minutes(Math.ceil(f.intervalMs / 60_000)), warningAge: Duration.hours(f.warningMs / 3_600_000) };
}

/** Longest gap between two scheduled runs (what "no successful run in time" alarms wait for). */
export function scheduleInterval(spec: ModelSpec): Duration {
  const ms = maxIntervalMs(cronOf('schedule.cron', spec.schedule.cron));
  return Duration.minutes(Math.ceil((ms ?? 86_400_000) / 60_000));
}

export function dataValidation(spec: ModelSpec): DataValidationOptions {
  return {
    format: spec.data.format,
    columns: spec.data.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
    minRows: spec.data.minRows,
    maxAge: Duration.seconds(spec.data.maxAgeSeconds),
  };
}

export function evaluationPolicy(spec: ModelSpec): EvaluationPolicy {
  return {
    metric: spec.evaluation.metric,
    direction: spec.evaluation.direction,
    minImprovement: spec.evaluation.minImprovement,
    threshold: spec.evaluation.threshold,
  };
}

export function servedModel(spec: ModelSpec): ServedModelProps {
  return { model: spec.name, categories: spec.categories, rules: spec.inference.rules };
}

/**
 * Peak windows in the schedule's time zone: one window per start time of the cron (hour and
 * minute as written), lasting the declared duration (rounded up to whole minutes), on the cron's
 * weekdays. The schedule runs it past midnight and the week's end.
 */
export function peakWindows(spec: Pick<ModelSpec, 'schedule'> & { readonly inference: Pick<ModelSpec['inference'], 'peakWindows'> }): PeakWindow[] {
  return spec.inference.peakWindows.flatMap((w, i) => {
    const cron = cronOf(`inference.peakWindows[${i}].start`, w.startCron);
    const daysOfWeek = cron.dowRestricted ? weekdayCron(cron.daysOfWeek) : '*';
    const duration = Duration.minutes(Math.ceil(w.durationSeconds / 60));
    return cron.hours.flatMap((startHour) => cron.minutes.map((startMinute) => ({
      startHour, startMinute, duration, daysOfWeek, timeZone: spec.schedule.timeZone,
    })));
  });
}

/**
 * Provisioned concurrency of the Lambda API during peak windows (Little's law: the busiest
 * window's requests per second times the p95 objective, the longest a request should take);
 * undefined without peak windows (on demand only).
 */
export function apiProvisionedConcurrency(spec: { readonly inference: Pick<ModelSpec['inference'], 'peakWindows' | 'slo'> }): number | undefined {
  const windows = spec.inference.peakWindows;
  if (windows.length === 0) return undefined;
  const peakTps = Math.max(...windows.map((w) => w.tps));
  return Math.max(1, Math.ceil((peakTps * spec.inference.slo.p95Ms) / 1000));
}

/** What the training duration budget is derived from: one job's longest run and its attempts. */
export function trainingJobBudget(spec: ModelSpec): { jobDuration: Duration; jobAttempts: number } {
  const t = spec.training;
  return {
    // A SageMaker Spot job may take up to maxWait (waiting for capacity included).
    jobDuration: Duration.seconds(t.backend === TrainingEngine.SAGEMAKER && t.spot ? t.maxWaitSeconds : t.maxRuntimeSeconds),
    jobAttempts: t.retries + 1,
  };
}

/** SageMaker backend options (without the image). */
export function sageMakerOptions(spec: ModelSpec) {
  const t = spec.training;
  return {
    instanceType: t.instanceType,
    instanceCount: t.instanceCount,
    volumeSizeGiB: t.volumeSizeGiB,
    maxRuntime: Duration.seconds(t.maxRuntimeSeconds),
    spot: t.spot,
    spotMaxWait: t.spot ? Duration.seconds(t.maxWaitSeconds) : undefined,
  };
}

/** Batch backend options (without the image and the compute environment). */
export function batchOptions(spec: ModelSpec) {
  const t = spec.training;
  return { command: t.command, maxRuntime: Duration.seconds(t.maxRuntimeSeconds), spotAttempts: t.retries + 1 };
}

/** How many categories train at once and what share of them may fail (`training.maxConcurrency`, `training.toleratedFailures`). */
export function trainingFanOut(spec: ModelSpec): { maxConcurrency: number; toleratedFailurePercentage: number } {
  return { maxConcurrency: spec.training.maxConcurrency, toleratedFailurePercentage: spec.training.toleratedFailures };
}

/**
 * How clients reach the service (`inference.access`): client networks as security-group peers,
 * principals of the endpoint service, and the certificate and trust store imported into `scope`
 * (construct ids `Certificate`, `TrustStore`).
 */
export function serviceAccess(scope: Construct, spec: ModelSpec): { access: ServiceAccessProps; certificate?: acm.ICertificate } {
  const a = spec.inference.access;
  return {
    access: {
      mode: a.mode,
      clientPeers: [...a.clientCidrs.map((cidr) => ec2.Peer.ipv4(cidr)), ...a.clientPrefixLists.map((id) => ec2.Peer.prefixList(id))],
      allowedPrincipals: a.allowedPrincipals.map((arn) => new iam.ArnPrincipal(arn)),
      trustStore: a.trustStoreArn ? elbv2.TrustStore.fromTrustStoreArn(scope, 'TrustStore', a.trustStoreArn) : undefined,
    },
    certificate: a.certificateArn ? acm.Certificate.fromCertificateArn(scope, 'Certificate', a.certificateArn) : undefined,
  };
}
