import { CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * How cdk-nag spells the ARN of a resource in granular finding ids (`<LogicalId.Arn>`), so
 * acknowledgements name the exact resource instead of a blanket rule.
 */
export function nagArn(resource: IConstruct): string {
  const cfn = (resource.node.defaultChild ?? resource) as CfnElement;
  return `<${Stack.of(cfn).getLogicalId(cfn)}.Arn>`;
}

/** The logical id of a resource's L1. */
export function logicalIdOf(resource: IConstruct): string {
  const cfn = (resource.node.defaultChild ?? resource) as CfnElement;
  return Stack.of(cfn).getLogicalId(cfn);
}
