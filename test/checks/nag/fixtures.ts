// Resources for the rule fixtures: a state machine with one SageMaker task (rendered by CDK, so
// its DefinitionString is the Fn::Join of JSON text and role and key ARNs that real apps have),
// and a stack with or without a VPC.
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { testApp } from '../../support/cdk';

/** A fresh stack; `withVpc` adds a VPC to the app. */
export function fixtureStack(opts: { withVpc?: boolean } = {}): Stack {
  const stack = new Stack(testApp(), 'Fixture');
  if (opts.withVpc) new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  return stack;
}

/** A role and a key whose ARNs are tokens in the rendered definition. */
export function roleAndKey(stack: Stack): { roleArn: string; keyArn: string } {
  const role = stack.node.tryFindChild('JobRole') as iam.Role | undefined ?? new iam.Role(stack, 'JobRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  const key = stack.node.tryFindChild('Key') as kms.Key | undefined ?? new kms.Key(stack, 'Key');
  return { roleArn: role.roleArn, keyArn: key.keyArn };
}

/** A state machine whose state `Train` calls `action` with `parameters`; returns its L1. */
export function sageMakerTask(stack: Stack, action: string, parameters: Record<string, unknown>, state = 'Train'): CfnResource {
  const task = new sfn.CustomState(stack, state, {
    stateJson: { Type: 'Task', Resource: `arn:${stack.partition}:states:::sagemaker:${action}.sync`, Parameters: parameters },
  });
  const machine = new sfn.StateMachine(stack, `${state}Machine`, { definitionBody: sfn.DefinitionBody.fromChainable(task) });
  return machine.node.defaultChild as CfnResource;
}

/** A hardened training job request (network-isolated, in the VPC, keys on volume and output, one instance). */
export function trainingRequest(stack: Stack, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { roleArn, keyArn } = roleAndKey(stack);
  return {
    'TrainingJobName.$': '$.jobName',
    'RoleArn': roleArn,
    'AlgorithmSpecification': { TrainingImage: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/m:1', TrainingInputMode: 'File' },
    'OutputDataConfig': { 'S3OutputPath.$': '$.outputUri', 'KmsKeyId': keyArn },
    'ResourceConfig': { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10, VolumeKmsKeyId: keyArn },
    'StoppingCondition': { MaxRuntimeInSeconds: 3600 },
    'EnableNetworkIsolation': true,
    'VpcConfig': { SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1'] },
    ...overrides,
  };
}
