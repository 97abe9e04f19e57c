// A composition's configuration turned into the one model client the invoker calls.
import { StepClientContext, stepClient } from './compose-clients';
import { CompositionConfig } from './compose-config';
import { ParallelComposition } from './compose-parallel';
import { SerialComposition } from './compose-serial';
import { ModelClient } from './model-client';

/** The client of a serial or parallel composition; `context` is asked only when a step is an AWS call. */
export function compositionClient(config: CompositionConfig, context: () => StepClientContext, now: () => number = Date.now): ModelClient {
  const steps = config.steps.map((s) => ({ ...s, client: stepClient(s.target, context) }));
  if (config.kind === 'serial') return new SerialComposition(steps, now);
  return new ParallelComposition({ branches: steps, combine: config.combine!, quorum: config.quorum });
}
