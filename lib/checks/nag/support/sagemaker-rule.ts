import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { SageMakerWorkload, sageMakerWorkloads } from './sagemaker-workloads';

/**
 * A SageMaker rule's result from one fact of each workload: not applicable when no workload
 * has the fact, non-compliant for a resource that lacks it, and for a state machine the names
 * of the states whose tasks lack it (`Mlops-<rule>[<state>]`).
 */
export function judgeWorkloads(node: CfnResource, fact: (w: SageMakerWorkload) => boolean | undefined): NagRuleResult {
  const applicable = sageMakerWorkloads(node).filter((w) => fact(w) !== undefined);
  if (applicable.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const failing = applicable.filter((w) => fact(w) === false);
  if (failing.length === 0) return NagRuleCompliance.COMPLIANT;
  const states = failing.map((w) => w.state).filter((s): s is string => s !== undefined);
  return states.length > 0 ? [...new Set(states)] : NagRuleCompliance.NON_COMPLIANT;
}
