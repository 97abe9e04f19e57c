import { ResolveContext, resolveIntrinsics } from './resolver';
import type { AslDefinition } from './runner';

type Template = { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }> };

/** Logical ids of the state machines in a synthesized template. */
export function stateMachineIds(template: Template): string[] {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine').map(([id]) => id);
}

/**
 * The ASL definition of a state machine in a synthesized template, with intrinsics resolved.
 * `select` picks the state machine by logical id (or a predicate on it) when there are several.
 */
export function extractDefinition(template: Template, select?: string | ((logicalId: string) => boolean), ctx: Omit<ResolveContext, 'resources'> = {}): AslDefinition {
  const ids = stateMachineIds(template);
  const matching = select === undefined ? ids : ids.filter((id) => (typeof select === 'string' ? id === select : select(id)));
  if (matching.length !== 1) {
    throw new Error(`expected exactly one state machine${select ? ` matching ${String(select)}` : ''} in the template, found ${matching.length} (${ids.join(', ') || 'none'})`);
  }
  const props = template.Resources![matching[0]].Properties ?? {};
  const raw = props.DefinitionString ?? props.Definition;
  if (raw === undefined) throw new Error(`state machine ${matching[0]} has neither DefinitionString nor Definition`);
  const resolved = resolveIntrinsics(raw, { ...ctx, resources: template.Resources });
  return (typeof resolved === 'string' ? JSON.parse(resolved) : resolved) as AslDefinition;
}
