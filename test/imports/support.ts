import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { testApp } from '../support/cdk';

/** Both stacks of the same-app case live here; the other account is where a cross-account consumer lives. */
export const ENV = { account: '111111111111', region: 'eu-west-1' };
export const OTHER_ACCOUNT = '222222222222';

/** Stack A (the producer) and stack B (the consumer) in one app and environment. */
export function producerAndConsumer(): { app: App; producer: Stack; consumer: Stack } {
  const app = testApp();
  return { app, producer: new Stack(app, 'Producer', { env: ENV }), consumer: new Stack(app, 'Consumer', { env: ENV }) };
}

/** An environment-agnostic consumer stack in its own app (literal ARNs of another account). */
export function agnosticConsumer(): Stack {
  return new Stack(testApp(), 'AgnosticConsumer');
}

/** A role in `stack` that a grant is given to. */
export function consumerRole(scope: Construct): iam.Role {
  return new iam.Role(scope, 'ConsumerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

/**
 * The `Fn::ImportValue` that stack B uses for a value of stack A: the export of A whose value is
 * `value` (a Ref or GetAtt of A's resource), so a test can assert B points at A's resource.
 */
export function importOf(producer: Stack, value: unknown): { 'Fn::ImportValue': string } {
  const outputs = Template.fromStack(producer).toJSON().Outputs ?? {};
  const match = Object.values(outputs as Record<string, { Value: unknown; Export?: { Name: string } }>)
    .find((o) => JSON.stringify(o.Value) === JSON.stringify(value) && o.Export);
  if (!match?.Export) throw new Error(`producer exports no output with value ${JSON.stringify(value)}; outputs: ${JSON.stringify(outputs)}`);
  return { 'Fn::ImportValue': match.Export.Name };
}

/** Logical id of the only resource of `type` in `stack` whose id starts with `prefix`. */
export function logicalId(stack: Stack, type: string, prefix: string): string {
  const ids = Object.keys(Template.fromStack(stack).findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

/** The role's policy holds a statement with these actions on exactly these resources. */
export function expectGrant(stack: Stack, actions: string | string[], resource: unknown): void {
  Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: actions, Effect: 'Allow', Resource: resource })]) },
  });
}

/** An alarm on the metric, so the test reads the metric as CloudFormation renders it. */
export function alarmOn(scope: Construct, id: string, metric: cloudwatch.IMetric): void {
  new cloudwatch.Alarm(scope, id, { metric, threshold: 1, evaluationPeriods: 1 });
}

/** The rendered alarm with this id prefix. */
export function alarmProps(stack: Stack, prefix: string): Record<string, any> {
  return Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')[logicalId(stack, 'AWS::CloudWatch::Alarm', prefix)].Properties;
}
