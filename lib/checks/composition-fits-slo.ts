import { CombineMethod, CompositionKind, CompositionStepSpec, ModelSpec } from '../spec/model-spec';
import { FRONT_END_OVERHEAD_MS } from './model-latency-fits-slo';
import { CheckLevel, CheckOutcome, PlatformCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/**
 * The "online big-size" anti-pattern of compositions: a serial chain whose summed latencies, or a
 * parallel fan-out whose answer (its slowest branch; the fastest for `first`), exceed the p95
 * objective; and a branch slower than its own timeout, which can never take part. A platform
 * check, because a branch naming another model takes that model's declared latency.
 */
export const compositionFitsSlo: PlatformCheck = {
  id: 'MLOPS-CompositionFitsSlo',
  scope: 'platform',
  level: CheckLevel.ERROR,
  info: 'A composition\'s declared latencies plus the front end\'s overhead exceed the p95 objective, or a branch is slower than its timeout ("online big-size").',
  explanation: 'Serial steps add up, and a parallel combination waits for its slowest branch: a composition declared slower than the SLO answers late or '
    + 'from fallbacks on every request, however much it scales. Shorten the chain (fold a step into the model image), drop or speed up the slow branch, '
    + 'use combine: first, or agree on a looser SLO.',
  check(specs: readonly ModelSpec[]) {
    const byName = new Map(specs.map((s) => [s.name, s]));
    const out = new Map<string, CheckOutcome>();
    for (const spec of specs) {
      const c = spec.inference.composition;
      if (!c) { out.set(spec.name, notApplicable()); continue; }
      const overhead = FRONT_END_OVERHEAD_MS[spec.inference.serving] ?? 0;
      const p95 = spec.inference.slo.p95Ms;
      // A branch naming a model not on the platform is MLOPS-CompositionModelsServed's finding; it counts as 0 here.
      const latency = (s: CompositionStepSpec) => s.latencyMs ?? byName.get(s.model ?? '')?.inference.modelLatencyMs ?? 0;
      const steps = c.steps.map((s) => ({ name: s.name, ms: latency(s), timeoutMs: s.timeoutMs }));
      if (c.kind === CompositionKind.SERIAL) {
        const total = steps.reduce((a, s) => a + s.ms, 0) + overhead;
        out.set(spec.name, total <= p95 ? compliant() : nonCompliant('inference.composition.serial',
          `${steps.map((s) => `${s.name} ${s.ms}ms`).join(' + ')} + ${spec.inference.serving} overhead ${overhead}ms = ${total}ms > slo.p95 ${p95}ms; `
          + `bring the chain under ${Math.max(0, p95 - overhead)}ms (fold a step into the model image, or precompute), or raise slo.p95`));
        continue;
      }
      const late = steps.findIndex((s) => s.timeoutMs !== undefined && s.ms > s.timeoutMs);
      if (late >= 0) {
        const s = steps[late];
        out.set(spec.name, nonCompliant(`inference.composition.parallel.branches[${late}].timeout`,
          `branch ${s.name} takes ${s.ms}ms but its timeout is ${s.timeoutMs}ms, so it never answers; raise the timeout above ${s.ms}ms or remove the branch`));
        continue;
      }
      const first = c.combine === CombineMethod.FIRST;
      const answer = steps.reduce((best, s) => (first ? (s.ms < best.ms ? s : best) : (s.ms > best.ms ? s : best)));
      const total = answer.ms + overhead;
      out.set(spec.name, total <= p95 ? compliant() : nonCompliant(`inference.composition.parallel.branches[${steps.indexOf(answer)}]`,
        `${first ? 'fastest' : 'slowest'} branch ${answer.name} ${answer.ms}ms + ${spec.inference.serving} overhead ${overhead}ms = ${total}ms > slo.p95 ${p95}ms; `
        + `${first ? 'add a faster branch' : `give ${answer.name} a timeout under ${Math.max(0, p95 - overhead)}ms (it is then left out when late), drop it, or use combine: first`}, or raise slo.p95`));
    }
    return out;
  },
};
