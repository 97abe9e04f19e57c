// Task counts derived from the declared traffic. See README "Scaling derivation".

/** Traffic declaration of a prediction service. */
export interface DeclaredTraffic {
  readonly minTps: number;
  readonly avgTps: number;
  readonly maxTps: number;
  readonly tpsPerTask: number;
}

export interface DerivedCapacity {
  /** Tasks outside peaks: enough for minTps, never fewer than 2 (one per AZ). */
  readonly minTasks: number;
  /** Tasks for the average load (where target tracking settles; what the cost model prices). */
  readonly avgTasks: number;
  /** Minimum during declared peak windows: enough for maxTps without waiting for alarms. */
  readonly peakTasks: number;
  /** Ceiling: maxTps plus 20% headroom for spikes beyond the declaration. */
  readonly maxTasks: number;
}

/** Minutes before a declared peak window that its task count is scheduled (tasks start and warm up). */
export const PEAK_LEAD_MINUTES = 15;

/** Headroom above the declared maximum before the service stops scaling out. */
export const SPIKE_HEADROOM = 1.2;

export function deriveCapacity(t: DeclaredTraffic): DerivedCapacity {
  const tasks = (tps: number) => Math.ceil(tps / t.tpsPerTask);
  const minTasks = Math.max(2, tasks(t.minTps));
  const avgTasks = Math.max(minTasks, tasks(t.avgTps));
  const peakTasks = Math.max(avgTasks, tasks(t.maxTps));
  const maxTasks = Math.max(peakTasks, Math.ceil((t.maxTps * SPIKE_HEADROOM) / t.tpsPerTask));
  return { minTasks, avgTasks, peakTasks, maxTasks };
}

/** Validates the declaration; errors name the field, the value and the fix. */
export function validateTraffic(t: DeclaredTraffic): void {
  for (const [field, value] of Object.entries(t)) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${field} must be a positive number of requests per second, but ${value} was provided`);
  }
  if (t.minTps > t.avgTps || t.avgTps > t.maxTps) {
    throw new Error(`declared traffic must satisfy minTps <= avgTps <= maxTps, but ${t.minTps} / ${t.avgTps} / ${t.maxTps} was provided`);
  }
}
