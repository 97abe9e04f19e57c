import { Annotations, CfnOutput } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { PARAMETERS } from '../../lambda/shared/contract';
import { CheckLevel } from '../checks/pattern-check';
import { PatternFinding, formatFinding } from '../checks/run-pattern-checks';
import { AccessMode, ModelSpec, ServingFrontEnd, TrainingEngine } from '../spec/model-spec';
import { ModelDeployment } from './model-deployment';
import { PLATFORM_PARAMETERS } from './platform-parameters';

/** Publishes a value in an SSM parameter (for the CLI and model stacks) and as a stack output. */
export function publishParameter(scope: Construct, id: string, parameterName: string, value: string, description: string): void {
  new ssm.StringParameter(scope, `${id}Parameter`, { parameterName, stringValue: value, description: `cdk-mlops: ${description}` });
  new CfnOutput(scope, id, { value, description });
}

/** Whether a model runs in the platform's network: Batch training, a Fargate prediction service or an ingestion job (a built-in source needs none). */
export function needsNetwork(spec: ModelSpec): boolean {
  return spec.training.backend === TrainingEngine.BATCH || spec.inference.serving === ServingFrontEnd.SERVICE || spec.data.ingestion?.command !== undefined;
}

/** Whether a model's ingestion job (Fargate, isolated subnets) puts records into its feature groups: it then needs the Feature Store runtime endpoint. */
export function needsFeatureStoreRuntime(spec: ModelSpec): boolean {
  return spec.features !== undefined && spec.data.ingestion?.command !== undefined;
}

/** What a model uses of the platform network (what its stack imports). */
export interface NetworkNeeds {
  /** Subnets for its Batch instances or Fargate tasks. */
  readonly subnets: boolean;
  /** The VPC's CIDR: its load balancer admits clients in the VPC (access mode vpc). */
  readonly cidr: boolean;
  /** Public subnets: its load balancer is internet-facing (access mode internet). */
  readonly publicSubnets: boolean;
}

export const NO_NETWORK: NetworkNeeds = { subnets: false, cidr: false, publicSubnets: false };

export function networkNeeds(spec: ModelSpec): NetworkNeeds {
  const service = spec.inference.serving === ServingFrontEnd.SERVICE;
  const mode = spec.inference.access.mode;
  return { subnets: needsNetwork(spec), cidr: service && mode === AccessMode.VPC, publicSubnets: service && mode === AccessMode.INTERNET };
}

/** The parameters and outputs the CLI reads for one model, and its pattern-check findings as annotations. */
export function publishModel(scope: Construct, platformName: string, deployment: ModelDeployment, findings: PatternFinding[]): void {
  const spec = deployment.spec;
  for (const f of findings) {
    const message = formatFinding(f);
    if (f.level === CheckLevel.WARNING && !f.acknowledgedReason) Annotations.of(deployment).addWarningV2(f.id, message);
    else Annotations.of(deployment).addInfo(message);
  }
  Annotations.of(deployment).addInfo(`${spec.name}: serving front end "${spec.inference.serving}" (${spec.inference.servingReason})`);
  const id = pascal(spec.name);
  publishParameter(scope, `${id}TrainingStateMachine`, PARAMETERS.trainingStateMachine(platformName, spec.name),
    deployment.trainingPipeline.stateMachine.stateMachineArn, `Training pipeline of ${spec.name}`);
  if (deployment.batchInference) {
    publishParameter(scope, `${id}BatchInferenceStateMachine`, PARAMETERS.batchInferenceStateMachine(platformName, spec.name),
      deployment.batchInference.stateMachine.stateMachineArn, `Batch inference of ${spec.name}`);
  }
  if (deployment.endpointUrl) {
    publishParameter(scope, `${id}Endpoint`, PARAMETERS.endpoint(platformName, spec.name), deployment.endpointUrl, `Prediction endpoint of ${spec.name}`);
  }
  const endpointService = deployment.predictionService?.endpointService;
  if (endpointService) {
    publishParameter(scope, `${id}EndpointService`, PLATFORM_PARAMETERS.endpointService(platformName, spec.name), endpointService.vpcEndpointServiceName,
      `PrivateLink endpoint service of ${spec.name} (clients create an interface endpoint to it)`);
  }
}

function pascal(name: string): string {
  return name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}
