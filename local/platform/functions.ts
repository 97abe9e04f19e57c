// What a Task state calls in a synthesized template: the Lambda function behind it (from the
// function ARN in its Resource or FunctionName) and that function's environment, resolved.
import { AslDefinition, ResolveContext, resolveIntrinsics } from '../asl';
import { FunctionEnvironment } from '../pipelines/batch-handlers';

type AslState = AslDefinition['States'][string];

function findState(def: AslDefinition, name: string): AslState | undefined {
  for (const [n, s] of Object.entries(def.States)) {
    if (n === name) return s;
    for (const nested of [s.ItemProcessor, s.Iterator, ...(s.Branches ?? [])]) {
      const found = nested ? findState(nested as AslDefinition, name) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/** The environment of the function each Task state invokes; throws for a state that invokes none. */
export function taskFunctionEnvironment(definition: AslDefinition, ctx: ResolveContext): FunctionEnvironment {
  const cache = new Map<string, Record<string, string>>();
  return (state) => {
    const hit = cache.get(state);
    if (hit) return hit;
    const s = findState(definition, state);
    const target = String((s?.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName ?? s?.Resource ?? '');
    const id = /:function:([^:]+)/.exec(target)?.[1];
    const fn = id ? ctx.resources?.[id] : undefined;
    if (!fn || fn.Type !== 'AWS::Lambda::Function') throw new Error(`state ${state} does not invoke a Lambda function of this template (${target || 'no target'})`);
    const vars = (fn.Properties as { Environment?: { Variables?: Record<string, unknown> } } | undefined)?.Environment?.Variables ?? {};
    const env = Object.fromEntries(Object.entries(resolveIntrinsics(vars, ctx) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    cache.set(state, env);
    return env;
  };
}
