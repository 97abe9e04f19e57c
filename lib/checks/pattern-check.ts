// MLOps pattern checks in the style of cdk-nag: one rule per file, each a pure function over the
// parsed model specs, with what it checks (`info`) and why it matters (`explanation`).
import { ModelSpec } from '../spec/model-spec';

/** How bad a non-compliant spec is: errors fail the synth, warnings are reported. */
export enum CheckLevel {
  ERROR = 'error',
  WARNING = 'warning',
}

/** The outcome of one rule on one model. */
export enum Compliance {
  COMPLIANT = 'compliant',
  NON_COMPLIANT = 'non-compliant',
  NOT_APPLICABLE = 'not-applicable',
}

/** A rule's verdict on one model, with the numbers behind it. */
export interface CheckOutcome {
  readonly compliance: Compliance;
  /** Spec field the finding points at, e.g. `inference.ttl`. */
  readonly path?: string;
  /** The concrete values that make it (non-)compliant, and the fix. */
  readonly detail?: string;
}

interface CheckBase {
  /** Stable id, used to acknowledge a finding in the spec (`acknowledge:`). */
  readonly id: string;
  readonly level: CheckLevel;
  /** What the rule checks. */
  readonly info: string;
  /** Why it matters. */
  readonly explanation: string;
  /**
   * Whether a spec may acknowledge its findings. A finding that always fails the deployment
   * (e.g. a second resource with the same physical name) is not a trade-off to accept.
   * @default true
   */
  readonly acknowledgeable?: boolean;
}

/** A rule over one model spec. */
export interface ModelCheck extends CheckBase {
  readonly scope: 'model';
  check(spec: ModelSpec): CheckOutcome;
}

/** A rule over all the platform's model specs together (cross-model patterns). */
export interface PlatformCheck extends CheckBase {
  readonly scope: 'platform';
  /** One outcome per model the rule looked at. */
  check(specs: readonly ModelSpec[]): ReadonlyMap<string, CheckOutcome>;
}

export type PatternCheck = ModelCheck | PlatformCheck;

export const compliant = (): CheckOutcome => ({ compliance: Compliance.COMPLIANT });
export const notApplicable = (): CheckOutcome => ({ compliance: Compliance.NOT_APPLICABLE });
export const nonCompliant = (path: string, detail: string): CheckOutcome => ({ compliance: Compliance.NON_COMPLIANT, path, detail });
