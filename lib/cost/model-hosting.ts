// What the real-time model itself costs a month when it is hosted on Fargate (`inference.hosting:
// fargate`): its x86_64 tasks at the declared size and counts, and its internal load balancer.
// The front end that calls it is billed with serving (front-end.ts).
import { InferenceMode, ModelHosting, ModelSpec } from '../spec/model-spec';
import { UnscopedLine, qty } from './cost-line';
import { RegionPrices } from './prices';
import { peakHoursPerMonth, requestsPerMonth, servingDemand } from './serving-demand';
import { HOURS_PER_MONTH, USAGE } from './usage';

const GB = 1e9;

/**
 * Task-hours of the model service: the average load's task count (between the declared tasks and
 * maxTasks) all month, raised to maxTasks (the service's peak count) in the peak windows.
 */
export function modelServiceTaskHours(spec: ModelSpec): { hours: number; avgTasks: number; peakTasks: number; peakHours: number } {
  const f = spec.inference.fargate;
  const d = servingDemand(spec);
  const avgTasks = Math.min(f.maxTaskCount, Math.max(f.taskCount, Math.ceil(d.avgTps / f.tpsPerTask)));
  const peakHours = d.peakWindows.length ? peakHoursPerMonth(d.peakWindows) : 0;
  const peakTasks = d.peakWindows.length ? f.maxTaskCount : avgTasks;
  return { hours: avgTasks * HOURS_PER_MONTH + (peakTasks - avgTasks) * peakHours, avgTasks, peakTasks, peakHours };
}

export function fargateHostingLines(spec: ModelSpec, prices: RegionPrices): UnscopedLine[] {
  if (spec.inference.hosting !== ModelHosting.FARGATE || spec.inference.mode === InferenceMode.BATCH) return [];
  const f = spec.inference.fargate;
  const t = modelServiceTaskHours(spec);
  const vcpu = f.cpu / 1024;
  const gb = f.memoryMiB / 1024;
  // Every answer is counted as a model call (mode both calls the model only without a precomputed answer: an upper bound).
  const lcuHours = (requestsPerMonth(servingDemand(spec)) * USAGE.bytesPerExchange) / GB;
  return [
    {
      group: 'hosting', item: `Fargate model tasks (${vcpu} vCPU, ${gb} GB, x86_64): ${t.avgTasks} all month, ${t.peakTasks} in peak windows`,
      quantity: `${qty(t.hours, 'task-h')} (${qty(t.peakHours, 'peak h')})`, usd: t.hours * (vcpu * prices.fargateX86VcpuHour + gb * prices.fargateX86GbHour),
    },
    { group: 'hosting', item: 'internal ALB hours (model service)', quantity: qty(HOURS_PER_MONTH, 'h'), usd: HOURS_PER_MONTH * prices.albHour },
    { group: 'hosting', item: `internal ALB LCUs (${USAGE.bytesPerExchange} B a call, every answer a model call)`, quantity: qty(lcuHours, 'LCU-h'), usd: lcuHours * prices.albLcuHour },
  ];
}
