import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Whether a VPC is available to a resource: the app defines one (AWS::EC2::VPC, in any stack:
 * the platform stack holds the network its model stacks use), or the resource's own stack places
 * something in one (AWS::EC2::SecurityGroup, e.g. with a VPC imported by `Vpc.fromLookup`).
 */
export function vpcAvailable(node: CfnResource): boolean {
  const stack = Stack.of(node);
  return hasResource(node.node.root, 'AWS::EC2::VPC') || hasResource(stack, 'AWS::EC2::SecurityGroup');
}

function hasResource(scope: IConstruct, type: string): boolean {
  return scope.node.findAll().some((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === type);
}
