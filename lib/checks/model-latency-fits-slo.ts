import { InferenceMode, ModelSpec, ServingFrontEnd } from '../spec/model-spec';
import { CheckLevel, ModelCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/**
 * Typical p95 latency the front end adds before the model answers: ALB + Fargate (~5 ms ALB,
 * ~10 ms store lookup and rules), API Gateway HTTP API + Lambda (~15 ms gateway, ~25 ms warm
 * invocation, ~10 ms lookup). Cold starts are left to the p99 budget.
 */
export const FRONT_END_OVERHEAD_MS: Record<string, number> = {
  [ServingFrontEnd.SERVICE]: 15,
  [ServingFrontEnd.API]: 50,
};

/** The "online big-size" anti-pattern: a model too slow for the latency objective it is served under. */
export const modelLatencyFitsSlo: ModelCheck = {
  id: 'MLOPS-ModelLatencyFitsSlo',
  scope: 'model',
  level: CheckLevel.ERROR,
  info: 'The declared model latency plus the serving front end\'s overhead exceeds the p95 latency objective ("online big-size").',
  explanation: 'A model that needs more time per prediction than the SLO allows cannot be served online within it, however much it scales: '
    + 'precompute its predictions (mode: batch), make the model smaller, or agree on a looser SLO.',
  check(spec: ModelSpec) {
    const i = spec.inference;
    if (i.mode === InferenceMode.BATCH || i.serving === ServingFrontEnd.NONE) return notApplicable();
    const overhead = FRONT_END_OVERHEAD_MS[i.serving] ?? 0;
    const total = i.modelLatencyMs + overhead;
    if (total <= i.slo.p95Ms) return compliant();
    return nonCompliant('inference.modelLatency', `modelLatency ${i.modelLatencyMs}ms + ${i.serving} overhead ${overhead}ms = ${total}ms > slo.p95 ${i.slo.p95Ms}ms; `
      + `use mode: batch, a model under ${Math.max(0, i.slo.p95Ms - overhead)}ms, or raise slo.p95`);
  },
};
