// A serial composition (preprocess -> model -> postprocess) as one model client: each step gets
// the previous step's answer (the first gets the request's {features, entityId?}), all steps
// share the one deadline the invoker gives, and the last answer's `prediction` is the
// prediction. A step that refuses, fails or runs out of time ends the chain with that kind, so
// the invoker's rules (fallback, circuit breaker) apply to the chain as to a single model.
import { StepClient } from './compose-clients';
import { ModelCallError, ModelClient, ModelInput } from './model-client';

export interface SerialStep {
  readonly name: string;
  readonly client: StepClient;
}

export class SerialComposition implements ModelClient {
  constructor(private readonly steps: readonly SerialStep[], private readonly now: () => number = Date.now) {}

  async invoke(input: ModelInput, timeoutMs: number): Promise<unknown> {
    const deadline = this.now() + timeoutMs;
    let doc: Record<string, unknown> = { ...input };
    for (const step of this.steps) {
      const remaining = deadline - this.now();
      if (remaining < 1) throw new ModelCallError('timeout', `the chain ran out of its ${timeoutMs} ms before step ${step.name}`);
      try {
        doc = await step.client.call(doc, remaining);
      } catch (e) {
        const error = e instanceof ModelCallError ? e : new ModelCallError('failed', String((e as Error)?.message ?? e));
        throw new ModelCallError(error.kind, `step ${step.name}: ${error.message}`, error.statusCode);
      }
    }
    if (!('prediction' in doc)) throw new ModelCallError('failed', `the last step ${this.steps[this.steps.length - 1].name} answered without a "prediction": ${JSON.stringify(doc).slice(0, 200)}`);
    return doc.prediction;
  }

  destroy(): void {
    for (const s of this.steps) s.client.destroy();
  }
}
