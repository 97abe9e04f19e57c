import { InferenceMode, ModelHosting, ModelSpec } from '../spec/model-spec';
import { CheckLevel, CheckOutcome, PlatformCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/** A parallel branch naming a model that has no real-time endpoint on this platform. */
export const compositionModelsServed: PlatformCheck = {
  id: 'MLOPS-CompositionModelsServed',
  scope: 'platform',
  level: CheckLevel.ERROR,
  info: 'A parallel branch names a model that is not on the platform, does not answer in real time (mode batch), or is another model hosted on Fargate.',
  explanation: 'The branch calls that model\'s real-time endpoint, which exists only for a model of this platform with mode online or both: '
    + 'otherwise every call fails, and the combination silently loses the branch (or falls back below the quorum). '
    + 'Another model\'s Fargate service admits only its own front end (internal load balancer), so only a SageMaker-hosted model can be another model\'s branch.',
  check(specs: readonly ModelSpec[]) {
    const online = new Set(specs.filter((s) => s.inference.mode !== InferenceMode.BATCH).map((s) => s.name));
    const onFargate = new Set(specs.filter((s) => s.inference.hosting === ModelHosting.FARGATE).map((s) => s.name));
    const out = new Map<string, CheckOutcome>();
    for (const spec of specs) {
      const c = spec.inference.composition;
      const branches = c?.steps.map((s, i) => ({ s, i })).filter(({ s }) => s.model !== undefined) ?? [];
      if (branches.length === 0) { out.set(spec.name, notApplicable()); continue; }
      const missing = branches.find(({ s }) => !online.has(s.model!));
      const fargate = branches.find(({ s }) => s.model !== spec.name && onFargate.has(s.model!));
      if (!missing && fargate) {
        out.set(spec.name, nonCompliant(`inference.composition.parallel.branches[${fargate.i}].model`,
          `"${fargate.s.model}" is hosted on Fargate, whose model service admits only its own front end; set its inference.hosting to sagemaker, or use an image branch`));
        continue;
      }
      out.set(spec.name, !missing ? compliant() : nonCompliant(`inference.composition.parallel.branches[${missing.i}].model`,
        `"${missing.s.model}" is ${specs.some((s) => s.name === missing.s.model) ? 'a batch model (no real-time endpoint)' : 'not a model of this platform'}; `
        + `name one of the real-time models (${[...online].join(', ') || 'none'}), set its inference.mode to online or both, or use an image branch`));
    }
    return out;
  },
};
