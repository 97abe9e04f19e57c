// The runtime form of a composition, as it travels in PREDICT_ENV.modelEndpoints (the `composition`
// of a model endpoint): every step resolved to what the front end calls. Written by the construct
// (lib/composition) from the spec, read by the front end.
import { ValidationError } from '../registry/errors';
import { CombineMethodName } from './combine';

/** What a step or branch calls: a URL under the serving contract, a SageMaker endpoint, or a Lambda function. */
export interface StepTarget {
  readonly url?: string;
  readonly sageMakerEndpoint?: string;
  /** Lambda function name or ARN. */
  readonly function?: string;
}

export interface ComposedStep {
  readonly name: string;
  readonly target: StepTarget;
  /** Parallel branches: weight in weighted-mean and vote. @default 1 */
  readonly weight?: number;
  /** Parallel branches: most time the branch may take, in milliseconds. @default the remaining budget */
  readonly timeoutMs?: number;
}

export interface CompositionConfig {
  readonly kind: 'serial' | 'parallel';
  readonly steps: readonly ComposedStep[];
  /** Parallel: how branches combine. */
  readonly combine?: CombineMethodName;
  /** Parallel: branches that must answer. @default 1 */
  readonly quorum?: number;
}

const COMBINE: readonly CombineMethodName[] = ['mean', 'weighted-mean', 'vote', 'first'];
const TARGETS = ['url', 'sageMakerEndpoint', 'function'] as const;

/** Validates a composition; errors name the field, the value and the fix. */
export function parseComposition(raw: unknown, field: string): CompositionConfig {
  if (!isObject(raw)) throw new ValidationError(field, raw, 'use an object {"kind": "serial" | "parallel", "steps": [...]}');
  if (raw.kind !== 'serial' && raw.kind !== 'parallel') throw new ValidationError(`${field}.kind`, raw.kind, 'use "serial" or "parallel"');
  if (!Array.isArray(raw.steps) || raw.steps.length < 2) throw new ValidationError(`${field}.steps`, raw.steps, 'list at least two steps');
  const steps = raw.steps.map((s: unknown, n: number): ComposedStep => {
    const f = `${field}.steps[${n}]`;
    if (!isObject(s) || typeof s.name !== 'string' || s.name === '') throw new ValidationError(f, s, 'use {"name": "...", "target": {...}}');
    const t = s.target;
    const given = isObject(t) ? TARGETS.filter((k) => typeof t[k] === 'string' && t[k] !== '') : [];
    if (!isObject(t) || given.length !== 1 || Object.keys(t).length !== 1) throw new ValidationError(`${f}.target`, t, `give exactly one of ${TARGETS.join(', ')}`);
    if (s.weight !== undefined && !(typeof s.weight === 'number' && Number.isFinite(s.weight) && s.weight > 0)) throw new ValidationError(`${f}.weight`, s.weight, 'use a number > 0');
    if (s.timeoutMs !== undefined && !(Number.isInteger(s.timeoutMs) && (s.timeoutMs as number) >= 1)) throw new ValidationError(`${f}.timeoutMs`, s.timeoutMs, 'use a whole number of milliseconds >= 1');
    return {
      name: s.name, target: { [given[0]]: t[given[0]] as string },
      ...(s.weight !== undefined ? { weight: s.weight as number } : {}),
      ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs as number } : {}),
    };
  });
  if (raw.kind === 'serial') return { kind: 'serial', steps };
  if (!COMBINE.includes(raw.combine as CombineMethodName)) throw new ValidationError(`${field}.combine`, raw.combine, `use one of ${COMBINE.join(', ')}`);
  const quorum = raw.quorum ?? 1;
  if (!Number.isInteger(quorum) || (quorum as number) < 1 || (quorum as number) > steps.length) {
    throw new ValidationError(`${field}.quorum`, quorum, `use a whole number from 1 to the number of branches (${steps.length})`);
  }
  return { kind: 'parallel', steps, combine: raw.combine as CombineMethodName, quorum: quorum as number };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
