import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SageMakerExecution } from './sagemaker-execution';

/**
 * What a state machine needs to run SageMaker training jobs with the `.sync` integration: create
 * jobs under `jobArn` (a name prefix with `*`) only with the execution's settings (its IAM
 * conditions), follow and stop them, the managed EventBridge rule Step Functions uses to follow
 * them, and passing the jobs' own role to SageMaker only. Training and batch scoring both run
 * training jobs, so they share this one definition.
 */
export function sageMakerTrainingJobStatements(stack: Stack, jobArn: string, execution: SageMakerExecution): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['sagemaker:CreateTrainingJob'],
      resources: [jobArn],
      conditions: execution.trainingJobConditions(),
    }),
    // The request condition keys exist only on CreateTrainingJob.
    new iam.PolicyStatement({
      actions: ['sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
      resources: [jobArn],
    }),
    new iam.PolicyStatement({
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForSageMakerTrainingJobsRule' })],
    }),
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [execution.role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }),
  ];
}
