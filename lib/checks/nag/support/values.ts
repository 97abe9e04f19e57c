// How rules read resolved template values and state machine parameters. A value the template
// cannot know at synth (a CloudFormation intrinsic, a JSONPath `Key.$` or a JSONata `{% %}`
// expression, a token in a definition string) counts as present: the rule cannot see it, and a
// rule that flags what it cannot see would flag every parameterized template.

/** A value known to exist whose content is decided at deploy or run time. */
export const UNKNOWN = Symbol('unknown value');

/** The marker that stands for a token inside a resolved state machine definition. */
export const TOKEN_MARKER = '__cdk_mlops_token__';

/** Whether a resolved value is a CloudFormation intrinsic (`Ref`, `Fn::*`). */
export function isIntrinsic(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition');
}

/** Whether a value is decided at deploy or run time. */
export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN || isIntrinsic(v) || (typeof v === 'string' && (v.includes(TOKEN_MARKER) || v.trim().startsWith('{%')));
}

/**
 * The field `name` of an object: its value, UNKNOWN when the object is unknown or holds the
 * field as a JSONPath (`name.$`), undefined when absent.
 */
export function field(obj: unknown, name: string): unknown {
  if (isUnknown(obj)) return UNKNOWN;
  if (typeof obj !== 'object' || obj === null) return undefined;
  const o = obj as Record<string, unknown>;
  if (o[name] !== undefined) return isUnknown(o[name]) ? UNKNOWN : o[name];
  if (o[`${name}.$`] !== undefined) return UNKNOWN;
  return undefined;
}

/** The value at a path of fields (`field` applied in turn). */
export function at(obj: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>((cur, name) => (cur === undefined ? undefined : field(cur, name)), obj);
}

/** True when the flag is set (or unknown), false when absent or false. */
export function isOn(v: unknown): boolean {
  return v === UNKNOWN || v === true || v === 'true';
}

/** True when the value is given (or unknown); empty strings do not count. */
export function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** A list field as an array (UNKNOWN and absent give an empty list). */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A known number, or undefined when absent or unknown. */
export function knownNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}
