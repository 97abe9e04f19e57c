// Acknowledgements that hold for a kind of resource wherever the platform creates it, given only
// when the resource shows the evidence the reason rests on: a policy attached to exactly one role,
// an e-mail subscription, a rule whose every target has a retry policy, a versioned bucket, a
// bucket that receives another bucket's access logs, a public subnet's route to its internet gateway, a build project fed by its pipeline. Applied as an Aspect (so resources added
// later, e.g. by addModel, are covered) to the platform's own constructs and stacks only.
import { CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { NagAcknowledgement, NagFindings as F, acknowledgeNag } from './nag';

/** The Aspect: `Aspects.of(scope).add(new PolicyPackAcknowledgements())`. */
export class PolicyPackAcknowledgements implements IAspect {
  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    const acks = evidenced(node);
    if (acks.length) acknowledgeNag(node, ...acks);
  }
}

function evidenced(node: CfnResource): NagAcknowledgement[] {
  const resolve = (v: unknown) => Stack.of(node).resolve(v);
  if (node instanceof iam.CfnPolicy) {
    const count = (v: unknown) => ((resolve(v) as unknown[] | undefined) ?? []).length;
    const oneRole = count(node.roles) === 1 && count(node.users) === 0 && count(node.groups) === 0;
    return oneRole ? F.rolePolicy() : [];
  }
  if (node instanceof sns.CfnSubscription) return ['email', 'email-json'].includes(node.protocol) ? F.emailSubscription() : [];
  if (node instanceof events.CfnRule) {
    // L1 properties resolve with their TypeScript (camelCase) names.
    const targets = resolve(node.targets) as Array<{ retryPolicy?: unknown }> | undefined;
    return targets?.length && targets.every((t) => t.retryPolicy !== undefined) ? F.ruleTargetRetried() : [];
  }
  if (node instanceof s3.CfnBucket) {
    const versioned = (resolve(node.versioningConfiguration) as { status?: string } | undefined)?.status === 'Enabled';
    return [...(versioned ? F.bucketReplication() : []), ...(receivesAccessLogs(node) ? F.accessLogDestination() : [])];
  }
  if (node instanceof ec2.CfnRoute) return node.destinationCidrBlock === '0.0.0.0/0' && node.gatewayId !== undefined ? F.publicSubnetRoute() : [];
  if (node instanceof ec2.CfnVPC) return F.defaultSecurityGroupUnused();
  if (node instanceof codebuild.CfnProject) return (resolve(node.source) as { type?: string }).type === 'CODEPIPELINE' ? F.pipelineSourcedProject() : [];
  return [];
}

/** Whether another bucket of the stack sends its server access logs to `bucket`. */
function receivesAccessLogs(bucket: s3.CfnBucket): boolean {
  const stack = Stack.of(bucket);
  const self = JSON.stringify({ Ref: stack.getLogicalId(bucket) });
  return stack.node.findAll().some((c) => c instanceof s3.CfnBucket && c !== bucket && Stack.of(c) === stack
    && JSON.stringify((stack.resolve(c.loggingConfiguration) as { destinationBucketName?: unknown } | undefined)?.destinationBucketName) === self);
}
