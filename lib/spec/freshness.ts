// The one freshness rule of batch predictions, in spec terms. The TTL pattern check
// (MLOPS-TtlOutlivesNextBatch) and the freshness alarms (lib/monitoring/prediction-alarms.ts)
// both derive from these functions, so following the check's fix never leads into an alarm error
// and an alarm can always be built for a spec that passes the check.
//
// A batch is due one interval after the last one (the scoring schedule's, or the training
// schedule's when scoring follows training) and may legitimately be late by the time its run is
// allowed to take. Older than that, a batch was missed: the warning. The critical alarm comes at
// least an hour later (alarms see whole hours) and at least an hour before the TTL deletes the
// predictions, so there is time to act: hence TTL >= warning + 2h.
import { maxIntervalMs, parseCron } from './cron';
import { InferenceMode, ModelSpec, TrainingEngine } from './model-spec';
import { formatDuration } from './units';

const HOUR_MS = 3_600_000;

/** How long a scheduled batch inference may run before its execution times out (BatchInference's time limit). */
/** Time an ingestion window takes to run and deliver once it has ended (what a training on arrival waits for). */
export const DELIVERY_ALLOWANCE_MS = 15 * 60_000;

export const SCORING_TIME_LIMIT_MS = 12 * HOUR_MS;

/** How late a batch may be when nothing else is known (MlopsMonitoring used without a spec). */
export const DEFAULT_BATCH_LATENESS_MS = 6 * HOUR_MS;

/** Age of the newest batch that means one was missed: interval plus lateness, up to the whole hour. */
export function warningAgeMs(intervalMs: number, latenessMs: number): number {
  return Math.ceil((intervalMs + latenessMs) / HOUR_MS) * HOUR_MS;
}

/** The shortest TTL the freshness alarms can watch: the warning age plus two hours. */
export function minimumTtlMs(warningMs: number): number {
  return warningMs + 2 * HOUR_MS;
}

/**
 * Age of the newest batch that raises the critical alarm: ideally one interval before the TTL
 * (a whole interval to recover), at least an hour after the warning, at least an hour before
 * the TTL. When the TTL is below {@link minimumTtlMs} (an acknowledged finding), one hour after
 * the warning: predictions may expire before it fires.
 */
export function criticalAgeMs(warningMs: number, ttlMs: number, intervalMs: number): number {
  const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
  if (ttlMs < minimumTtlMs(warningMs)) return warningMs + HOUR_MS;
  return Math.max(warningMs + HOUR_MS, Math.min(floorHour(ttlMs - intervalMs), floorHour(ttlMs - HOUR_MS)));
}

/** The freshness budget of a spec's batch predictions. */
export interface BatchFreshness {
  /** The spec field whose schedule paces the batches (`data.ingestion` when each delivery trains, and scoring follows training). */
  readonly pacedBy: 'inference.schedule' | 'schedule' | 'data.ingestion';
  /** Longest gap between two batches; undefined when the schedule never fires. */
  readonly intervalMs?: number;
  /** How late a batch may legitimately be. */
  readonly latenessMs: number;
  /** What the lateness is made of, in spec terms (e.g. "3 attempts x maxWait 2h"). */
  readonly lateness: readonly string[];
  /** Age of the newest batch that raises the warning (undefined when the schedule never fires). */
  readonly warningMs?: number;
  /** The shortest TTL that passes (undefined when the schedule never fires). */
  readonly minimumTtlMs?: number;
}

/**
 * The freshness budget of a spec that scores in batch: paced by `inference.schedule` when it has
 * one (lateness: the scoring time limit), else by the training schedule (lateness: every training
 * attempt at its longest, Spot capacity waits included; not the approval wait, which comes after scoring),
 * or, with `data.ingestion.triggersTraining`, by the ingestion cadence (its time schedule is then
 * created disabled; lateness: the delivery allowance plus the training attempts).
 * Undefined when nothing paces the batches (online only, or training paused without a scoring schedule).
 */
export function batchFreshness(spec: ModelSpec): BatchFreshness | undefined {
  if (spec.inference.mode === InferenceMode.ONLINE) return undefined;
  const scoring = spec.inference.schedule;
  const arrivals = !scoring && spec.data.ingestion?.triggersTraining ? spec.data.ingestion : undefined;
  if (!scoring && !arrivals && !spec.schedule.enabled) return undefined;
  const cron = arrivals ? undefined : parseCron(scoring?.cron ?? spec.schedule.cron);
  const intervalMs = arrivals ? arrivals.intervalSeconds * 1000 : typeof cron === 'string' || cron === undefined ? undefined : maxIntervalMs(cron);
  const parts: Array<[string, number]> = [];
  if (scoring) {
    parts.push(['the scoring time limit 12h', SCORING_TIME_LIMIT_MS]);
  } else {
    if (arrivals) parts.push([`the delivery ${formatDuration(DELIVERY_ALLOWANCE_MS)}`, DELIVERY_ALLOWANCE_MS]);
    const t = spec.training;
    const waits = t.backend === TrainingEngine.SAGEMAKER && t.spot;
    const attemptMs = (waits ? t.maxWaitSeconds : t.maxRuntimeSeconds) * 1000;
    // evaluation.approvalTimeout is not lateness: the pipeline scores every category (the
    // champion still in production) before it waits for approvals, so a pending approval never
    // delays the batch (test/training-pipeline scenarios).
    parts.push([`${t.retries + 1} attempt${t.retries ? 's' : ''} x ${waits ? 'training.maxWait' : 'training.maxRuntime'} ${formatDuration(attemptMs)}`, (t.retries + 1) * attemptMs]);
  }
  const latenessMs = parts.reduce((sum, [, ms]) => sum + ms, 0);
  const warningMs = intervalMs === undefined ? undefined : warningAgeMs(intervalMs, latenessMs);
  return {
    pacedBy: scoring ? 'inference.schedule' : arrivals ? 'data.ingestion' : 'schedule',
    intervalMs, latenessMs, lateness: parts.map(([text]) => text), warningMs,
    minimumTtlMs: warningMs === undefined ? undefined : minimumTtlMs(warningMs),
  };
}
