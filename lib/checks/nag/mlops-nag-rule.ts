import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';

/**
 * One rule of the MlopsChecks pack: a pure function over an L1 resource, with what it found
 * (`info`) and why it matters (`explanation`). Findings are `Mlops-<id>`, or `Mlops-<id>[<state>]`
 * for a task inside a state machine definition.
 */
export interface MlopsNagRule {
  /** The rule id's suffix: `Mlops-<id>`. */
  readonly id: string;
  /** What was found (the finding's message). */
  readonly info: string;
  /** Why it matters and what to do. */
  readonly explanation: string;
  /** Compliant, non-compliant, not applicable, or the names of the failing states. */
  readonly check: (node: CfnResource) => NagRuleResult;
}
