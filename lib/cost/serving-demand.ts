// Monthly quantities of online serving, from the declared traffic and peak windows: requests for
// pay-per-request front ends, task-hours for the Fargate service (with the same task counts and
// peak schedule as PredictionService).
import { deriveCapacity } from '../prediction-service/capacity';
import { peakMinutesPerWeek } from '../prediction-service/peak-schedule';
import { PeakWindow } from '../prediction-service/serving-props';
import { apiProvisionedConcurrency, peakWindows } from '../platform/spec-mapping';
import { InferenceSpec, ScheduleSpec } from '../spec/model-spec';
import { HOURS_PER_MONTH, SECONDS_PER_MONTH, USAGE } from './usage';

/** What serving costs depend on: the declared traffic and the peak windows. */
export interface ServingDemand {
  readonly minTps: number;
  readonly avgTps: number;
  readonly maxTps: number;
  readonly peakWindows: PeakWindow[];
  /** Provisioned concurrency of the prediction function in the peak windows (PredictionApi); 0 for none. */
  readonly provisionedConcurrency: number;
}

/** The part of a spec serving demand is read from. */
export interface ServingDemandSource {
  readonly schedule: ScheduleSpec;
  readonly inference: Pick<InferenceSpec, 'tps' | 'peakWindows' | 'slo'>;
}

export function servingDemand(spec: ServingDemandSource): ServingDemand {
  const { min, avg, max } = spec.inference.tps;
  return { minTps: min, avgTps: avg, maxTps: max, peakWindows: peakWindows(spec), provisionedConcurrency: apiProvisionedConcurrency(spec) ?? 0 };
}

/** Requests a month: the declared average (peaks are part of it) over the whole month. */
export function requestsPerMonth(d: ServingDemand): number {
  return d.avgTps * SECONDS_PER_MONTH;
}

/** Hours a month the peak task count is scheduled, lead time included, overlaps counted once (the service's own schedule). */
export function peakHoursPerMonth(windows: readonly PeakWindow[]): number {
  const weeksPerMonth = HOURS_PER_MONTH / (7 * 24);
  return Math.min(HOURS_PER_MONTH, (peakMinutesPerWeek(windows) / 60) * weeksPerMonth);
}

/**
 * Fargate task-hours a month: the average load's task count (never below the minimum of 2) all
 * month, raised to the peak count in the scheduled windows.
 */
export function taskHoursPerMonth(d: ServingDemand): { hours: number; avgTasks: number; peakTasks: number; peakHours: number } {
  const c = deriveCapacity({ minTps: d.minTps, avgTps: d.avgTps, maxTps: d.maxTps, tpsPerTask: USAGE.tpsPerTask });
  const peakHours = d.peakWindows.length ? peakHoursPerMonth(d.peakWindows) : 0;
  return {
    hours: c.avgTasks * HOURS_PER_MONTH + (c.peakTasks - c.avgTasks) * peakHours,
    avgTasks: c.avgTasks, peakTasks: c.peakTasks, peakHours,
  };
}
