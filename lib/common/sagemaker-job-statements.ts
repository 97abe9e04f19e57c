import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What a state machine needs to run SageMaker training jobs with the `.sync` integration: manage
 * jobs under `jobArn` (a name prefix with `*`), the managed EventBridge rule Step Functions uses
 * to follow them, and passing the jobs' own role to SageMaker only. Training and batch scoring
 * both run training jobs, so they share this one definition.
 */
export function sageMakerTrainingJobStatements(stack: Stack, jobArn: string, jobRole: iam.IRole): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
      resources: [jobArn],
    }),
    new iam.PolicyStatement({
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForSageMakerTrainingJobsRule' })],
    }),
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [jobRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }),
  ];
}
