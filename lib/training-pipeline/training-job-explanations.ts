import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BATCH_FAILURE_FILE, JOB_STATE_EVENTS } from '../../lambda/shared/training/job-details';
import { runIdPrefix } from '../../lambda/shared/training/run-id';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { ARTIFACT_PREFIXES } from '../data-lake/data-lake-layout';
import { IDataLake } from '../data-lake/data-lake-base';

/**
 * Routes the end of every training job of the model to `handler`, which records on the run why
 * the job failed, its status history, billable seconds and log links. Grants exactly what that
 * reads: DescribeTrainingJob on the model's jobs (SageMaker), or DescribeJobs and the staging
 * wrapper's failure files (Batch).
 */
export function explainTrainingJobs(scope: Construct, p: { handler: lambda.IFunction; engine: string; modelName: string; dataLake: IDataLake }): events.Rule {
  const stack = Stack.of(scope);
  // Job names are `<runId>-<attempt>` and run ids start with the model's prefix; the handler
  // skips jobs of another model whose name shares it.
  const namePrefix = `${runIdPrefix(p.modelName)}-`;
  // The grants land on the pipeline's shared function role: acknowledge them there.
  const grantee = p.handler.role ?? p.handler;
  const batch = p.engine === 'batch';
  const e = batch ? JOB_STATE_EVENTS.batch : JOB_STATE_EVENTS.sageMaker;
  const rule = new events.Rule(scope, 'TrainingJobEndedRule', {
    description: `Records how the training jobs of ${p.modelName} ended on their runs (failure reason, history, logs)`,
    eventPattern: {
      source: [e.source],
      detailType: [e.detailType],
      detail: batch
        ? { status: [...e.endStatuses], jobName: events.Match.prefix(namePrefix) }
        : { TrainingJobStatus: [...e.endStatuses], TrainingJobName: events.Match.prefix(namePrefix) },
    },
    targets: [new eventTargets.LambdaFunction(p.handler, { retryAttempts: 8, maxEventAge: Duration.hours(24) })],
  });

  if (!batch) {
    p.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sagemaker:DescribeTrainingJob'],
      resources: [stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: `${namePrefix.toLowerCase()}*` })],
    }));
    acknowledgeNag(grantee, F.trainingJobs(namePrefix.toLowerCase()));
    return rule;
  }
  p.handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['batch:DescribeJobs'], resources: ['*'] })); // no resource-level permissions
  const bucket = p.dataLake.artifactsBucket;
  const files = [ARTIFACT_PREFIXES.runs, ARTIFACT_PREFIXES.experiments].map((prefix) => `${prefix}${p.modelName}/*/${BATCH_FAILURE_FILE}`);
  p.handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: files.map((f) => bucket.arnForObjects(f)) }));
  (bucket.encryptionKey ?? p.dataLake.encryptionKey).grantDecrypt(p.handler);
  acknowledgeNag(grantee, ...files.map((f) => F.runFiles(p.handler, bucket.bucketArn, f)));
  return rule;
}
