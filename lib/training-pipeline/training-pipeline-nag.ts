import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { IDataLake } from '../data-lake/data-lake-base';
import { IModelRegistry } from '../model-registry/model-registry-base';

/**
 * The acknowledged cdk-nag findings of a training pipeline, each naming the exact resource
 * (reasons in lib/common/nag.ts). Everything else must pass.
 */
export function acknowledgeTrainingFindings(p: {
  scope: IConstruct; modelName: string; dataLake: IDataLake; registry: IModelRegistry;
  functions: lambda.IFunction[]; functionRole: IConstruct; stateMachine: IConstruct; backendScope: IConstruct; engine: string;
}): void {
  const m = p.modelName;
  const datasets = p.dataLake.datasetsBucket.bucketArn;
  const artifacts = p.dataLake.artifactsBucket.bucketArn;
  const kms = [F.kmsDataKeys(), F.kmsReEncrypt()];
  const modelData = [
    F.objectsUnder(p.scope, datasets, `${m}/`),
    F.objectsUnder(p.scope, artifacts, `runs/${m}/`),
    F.objectsUnder(p.scope, artifacts, `experiments/${m}/`),
  ];
  for (const f of [...p.functions, p.functionRole]) {
    acknowledgeNag(f,
      F.lambdaBasicExecution(), F.actionsWithoutResourceLevelPermissions(), F.lambdaRuntime(), ...kms,
      F.registryIndex(p.scope, p.registry.tableArn), ...modelData, F.objectsUnder(p.scope, artifacts, `manifests/${m}/`));
  }
  // Both engines: the job's execution role pulls its image with ecr:GetAuthorizationToken on "*".
  acknowledgeNag(p.backendScope, ...kms, ...modelData, F.actionsWithoutResourceLevelPermissions(),
    ...(p.engine === 'sagemaker' ? [F.sageMakerTrainingLogs(':*')] : []));
  acknowledgeNag(p.stateMachine,
    F.actionsWithoutResourceLevelPermissions(),
    ...p.functions.map((f) => F.functionVersions(p.scope, f.functionArn)),
    F.trainingJobs(`${m.slice(0, 20).replace(/-+$/, '')}-`),
  );
}
