// The definition of an AWS::StepFunctions::StateMachine as an object, from the template: CDK
// writes DefinitionString as an Fn::Join of JSON text and intrinsics (role ARNs, key ARNs,
// the partition). What can be resolved is; every intrinsic becomes TOKEN_MARKER, quoted when it
// stands where a JSON value does, so the text parses and the rules see "present, unknown".
import { TOKEN_MARKER, isIntrinsic } from './values';

/** A state of an ASL definition and its name. */
export interface DefinedState {
  readonly name: string;
  readonly state: Record<string, unknown>;
}

/** Thrown when a definition cannot be read: the rules report it instead of passing it. */
export class UnreadableDefinitionError extends Error {}

/** The parsed definition in a state machine's rendered Properties; throws when it cannot be read. */
export function stateMachineDefinition(properties: Record<string, unknown>): Record<string, unknown> {
  if (properties.Definition !== undefined) return properties.Definition as Record<string, unknown>;
  if (properties.DefinitionString === undefined) {
    throw new UnreadableDefinitionError('the definition is not in the template (DefinitionS3Location): the tasks cannot be checked; inline it (DefinitionBody.fromChainable or fromString) or acknowledge the finding');
  }
  const segments = toSegments(properties.DefinitionString, properties.DefinitionSubstitutions as Record<string, unknown> | undefined);
  const text = joinSegments(segments);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new UnreadableDefinitionError(`the definition is not valid JSON once its tokens are replaced (${(e as Error).message})`);
  }
}

/** Every state of a definition, nested ones (Map, Parallel) included. */
export function allStates(definition: Record<string, unknown>): DefinedState[] {
  const out: DefinedState[] = [];
  const visit = (states: unknown) => {
    for (const [name, state] of Object.entries((states ?? {}) as Record<string, Record<string, unknown>>)) {
      out.push({ name, state });
      for (const nested of [state.ItemProcessor, state.Iterator, ...((state.Branches as unknown[] | undefined) ?? [])]) {
        if (nested && typeof nested === 'object') visit((nested as Record<string, unknown>).States);
      }
    }
  };
  visit(definition.States);
  return out;
}

type Segment = { readonly text: string } | { readonly token: true };

function toSegments(value: unknown, substitutions: Record<string, unknown> | undefined): Segment[] {
  if (typeof value === 'string') return substitutions ? substitute(value, substitutions) : [{ text: value }];
  if (isIntrinsic(value)) {
    const join = (value as Record<string, unknown>)['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) {
      const [delimiter, parts] = join;
      return parts.flatMap((part, i) => [...(i > 0 && delimiter ? [{ text: delimiter }] : []), ...toSegments(part, substitutions)]);
    }
    const sub = (value as Record<string, unknown>)['Fn::Sub'];
    if (typeof sub === 'string') return substitute(sub, {});
  }
  return [{ token: true }];
}

/** `${name}` placeholders (DefinitionSubstitutions, Fn::Sub): literal values are written in, others are tokens. */
function substitute(text: string, substitutions: Record<string, unknown>): Segment[] {
  return text.split(/(\$\{[^}]*\})/).filter((s) => s !== '').map((s): Segment => {
    const m = /^\$\{([^}]*)\}$/.exec(s);
    if (!m) return { text: s };
    const v = substitutions[m[1]];
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? { text: String(v) } : { token: true };
  });
}

/** The JSON text with each token as TOKEN_MARKER, inside a string or as a string of its own. */
function joinSegments(segments: Segment[]): string {
  let inString = false;
  let out = '';
  for (const s of segments) {
    if ('token' in s) {
      out += inString ? TOKEN_MARKER : `"${TOKEN_MARKER}"`;
      continue;
    }
    for (let i = 0; i < s.text.length; i++) {
      const c = s.text[i];
      if (inString && c === '\\') { i++; continue; }
      if (c === '"') inString = !inString;
    }
    out += s.text;
  }
  return out;
}
