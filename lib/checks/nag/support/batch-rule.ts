import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { BatchContainer, batchContainers } from './batch-containers';

/** Not applicable without containers; non-compliant when one container fails `ok`. */
export function judgeContainers(node: CfnResource, ok: (c: BatchContainer) => boolean): NagRuleResult {
  const containers = batchContainers(node);
  if (containers.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  return containers.every(ok) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
