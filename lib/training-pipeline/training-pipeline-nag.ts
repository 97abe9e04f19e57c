import { Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { IDataLake } from '../data-lake/data-lake-base';
import { IModelRegistry } from '../model-registry/model-registry-base';

/** How cdk-nag spells a token in granular finding ids (`<LogicalId.Arn>`), or the literal value. */
export function nagRef(scope: IConstruct, value: string): string {
  const r = Stack.of(scope).resolve(value) as unknown;
  if (typeof r === 'string') return r;
  const o = r as Record<string, unknown>;
  if (Array.isArray(o['Fn::GetAtt'])) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
  if (typeof o.Ref === 'string') return `<${o.Ref}>`;
  return JSON.stringify(r);
}

/**
 * The acknowledged cdk-nag findings of a training pipeline, each naming the exact resource,
 * with the reason a reviewer needs. Everything else must pass.
 */
export function acknowledgeTrainingFindings(p: {
  scope: IConstruct; modelName: string; dataLake: IDataLake; registry: IModelRegistry;
  functions: lambda.IFunction[]; stateMachine: IConstruct; backendScope: IConstruct; engine: string;
}): void {
  const m = p.modelName;
  const datasets = nagRef(p.scope, p.dataLake.datasetsBucket.bucketArn);
  const artifacts = nagRef(p.scope, p.dataLake.artifactsBucket.bucketArn);
  const kms = [
    { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: 'Writing objects/items encrypted with the platform\'s customer key needs data keys; the grant names that one key only.' },
    { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason: 'Part of the standard encrypt/decrypt grant on the platform\'s customer key (one key, named).' },
  ];
  const registryIndex = { id: `AwsSolutions-IAM5[Resource::${nagRef(p.scope, p.registry.tableArn)}/index/*]`, reason: 'Registry grants include its query index (runs by model and time); same table only.' };
  const prefixes = {
    datasets: { id: `AwsSolutions-IAM5[Resource::${datasets}/${m}/*]`, reason: `Input data of this model only: <datasets>/${m}/<category>/<date>/...; the date is only known at run time. Read only.` },
    runs: { id: `AwsSolutions-IAM5[Resource::${artifacts}/runs/${m}/*]`, reason: `Outputs of this model's runs only (runs/${m}/<runId>/...); run ids are created per execution.` },
    experiments: { id: `AwsSolutions-IAM5[Resource::${artifacts}/experiments/${m}/*]`, reason: `Outputs of this model's experiment runs only (experiments/${m}/<runId>/...).` },
    manifests: { id: `AwsSolutions-IAM5[Resource::${artifacts}/manifests/${m}/*]`, reason: `Dataset manifests of this model only (manifests/${m}/<category>/<date>/manifest.json).` },
  };
  const fnCommon = [
    { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'Lambda\'s basic execution policy only allows creating and writing CloudWatch log streams; the function writes to its own log group with set retention.' },
    { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions; every other statement names its resource.' },
    { id: 'AwsSolutions-L1', reason: 'The runtime is pinned platform-wide by MlopsFunction (nodejs22.x, the target of the build-time bundles); all handlers move to a newer runtime together.' },
    ...kms, registryIndex, prefixes.datasets, prefixes.runs, prefixes.experiments, prefixes.manifests,
  ];
  for (const f of p.functions) {
    Validations.of(f).acknowledge(...fnCommon);
  }
  Validations.of(p.backendScope).acknowledge(
    ...kms, prefixes.datasets, prefixes.runs, prefixes.experiments,
    ...(p.engine === 'sagemaker' ? [
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'cloudwatch:PutMetricData has no resource-level permissions and is limited by the cloudwatch:namespace condition to /aws/sagemaker/TrainingJobs; with a VPC, SageMaker\'s ENI management (ec2:CreateNetworkInterface etc.) cannot be scoped at creation time.' },
      { id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/TrainingJobs:*]', reason: 'SageMaker writes training logs to this fixed log group, one stream per job.' },
    ] : []),
  );
  Validations.of(p.stateMachine).acknowledge(
    { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray tracing and CloudWatch Logs delivery of the state machine, and batch:DescribeJobs/TerminateJob (.sync polling), have no resource-level permissions.' },
    ...p.functions.map((f) => ({ id: `AwsSolutions-IAM5[Resource::${nagRef(p.scope, f.functionArn)}:*]`, reason: 'Invoking the pipeline\'s own handler function (any version/alias of that one function).' })),
    { id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/${m.slice(0, 20).replace(/-+$/, '')}-*]`, reason: `Training jobs are named per run and attempt (<model>-<category>-<date>-<hash>-<attempt>); the prefix limits create/describe/stop to this model's jobs.` },
  );
}

