import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { NagFindings, acknowledgeNag, nagSpelling } from '../common/nag';
import { IDataLake } from '../data-lake/data-lake-base';
import { S3IngestionSource } from './ingestion-source';

/** What the findings name: the prefixes the roles reach, the job's task definition and the step functions. */
export interface IngestionNagEvidence {
  readonly dataLake: IDataLake;
  readonly stagingPrefix: string;
  readonly location: string;
  /** The job's task definition; undefined for a built-in source. */
  readonly taskDefinition?: ecs.TaskDefinition;
  /** An S3 source: its objects are read under a prefix. */
  readonly source?: S3IngestionSource;
  readonly functions: lambda.IFunction[];
}

/** The cdk-nag findings a DataIngestion carries by design. */
export function acknowledgeIngestionNag(scope: IConstruct, e: IngestionNagEvidence): void {
  acknowledgeNag(scope,
    NagFindings.lambdaBasicExecution(), NagFindings.lambdaRuntime(), NagFindings.actionsWithoutResourceLevelPermissions(),
    ...(e.taskDefinition ? [NagFindings.plainTaskEnvironment()] : []),
    NagFindings.objectsUnder(scope, e.dataLake.artifactsBucket.bucketArn, e.stagingPrefix),
    NagFindings.objectsUnder(scope, e.dataLake.datasetsBucket.bucketArn, e.location),
    ...e.functions.map((f) => NagFindings.functionVersions(scope, f.functionArn)),
    ...(e.source ? [NagFindings.objectsUnder(scope, e.source.bucket.bucketArn, e.source.prefix ?? '')] : []),
    ...(e.taskDefinition ? [{
      // The ecs:runTask.sync integration allows every revision of the job's own task definition family.
      id: `AwsSolutions-IAM5[Resource::${nagSpelling(scope, `${taskDefinitionFamilyArn(e.taskDefinition)}:*`)}]`,
      reason: 'Step Functions runs any revision of this one ingestion task definition family (revisions change on every image update).',
    }] : []),
  );
}

// The ARN the RunTask integration builds from the task definition (its getTaskDefinitionFamilyArn).
function taskDefinitionFamilyArn(td: ecs.TaskDefinition): string {
  const stack = Stack.of(td);
  const parts = stack.splitArn(td.taskDefinitionArn, ArnFormat.SLASH_RESOURCE_NAME);
  let { resourceName } = parts;
  if (resourceName) resourceName = resourceName.split(':')[0];
  return Arn.format({ partition: parts.partition, service: parts.service, account: parts.account, region: parts.region, resource: parts.resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}
