// The SageMaker workloads a resource declares, as the facts the SageMaker rules judge: a model,
// an endpoint config (AWS::SageMaker::Model / EndpointConfig), or a job a state machine task
// creates (training, hyperparameter tuning, processing, transform, model, endpoint config).
// Step Functions tasks take the SageMaker API's request shape, which for models and endpoint
// configs is also CloudFormation's: one reader serves both.
import { CfnResource } from 'aws-cdk-lib';
import { acceptsVolumeKmsKey } from '../../../common/sagemaker/volume-key';
import { renderedProperties } from './rendered-properties';
import { allStates, stateMachineDefinition } from './state-machine-definition';
import { UNKNOWN, at, field, isOn, isPresent, isUnknown, knownNumber, list } from './values';

/**
 * What a workload has. `true` when it has it (or cannot be known at synth), `false` when it
 * lacks it, undefined when the setting does not apply to this kind of workload.
 */
export interface SageMakerWorkload {
  /** The state that creates it, for a task in a state machine; undefined for a resource. */
  readonly state?: string;
  readonly kind: 'training' | 'processing' | 'transform' | 'model' | 'endpoint-config';
  readonly vpc?: boolean;
  readonly networkIsolation?: boolean;
  readonly volumeKms?: boolean;
  readonly outputKms?: boolean;
  readonly interContainerEncryption?: boolean;
  readonly dataCapture?: boolean;
}

/** The SageMaker workloads of a resource (none for resources that declare no SageMaker work). */
export function sageMakerWorkloads(node: CfnResource): SageMakerWorkload[] {
  switch (node.cfnResourceType) {
    case 'AWS::SageMaker::Model': return [model(renderedProperties(node))];
    case 'AWS::SageMaker::EndpointConfig': return [endpointConfig(renderedProperties(node))];
    case 'AWS::StepFunctions::StateMachine': return stateMachineWorkloads(renderedProperties(node));
    default: return [];
  }
}

const SAGEMAKER_TASK = /:states:::(?:aws-sdk:)?sagemaker:([A-Za-z]+)(?:\.sync|\.waitForTaskToken)?$/;

function stateMachineWorkloads(properties: Record<string, unknown>): SageMakerWorkload[] {
  const out: SageMakerWorkload[] = [];
  for (const { name, state } of allStates(stateMachineDefinition(properties))) {
    const action = typeof state.Resource === 'string' ? SAGEMAKER_TASK.exec(state.Resource)?.[1]?.toLowerCase() : undefined;
    if (state.Type !== 'Task' || action === undefined) continue;
    const request = state.Parameters ?? state.Arguments ?? UNKNOWN;
    const workload = fromRequest(action, request);
    if (workload) out.push({ ...workload, state: name });
  }
  return out;
}

function fromRequest(action: string, request: unknown): SageMakerWorkload | undefined {
  switch (action) {
    case 'createtrainingjob': return training(request);
    case 'createhyperparametertuningjob': return training(field(request, 'TrainingJobDefinition') ?? list(field(request, 'TrainingJobDefinitions'))[0] ?? UNKNOWN);
    case 'createprocessingjob': return processing(request);
    case 'createtransformjob': return transform(request);
    case 'createmodel': return model(request);
    case 'createendpointconfig': return endpointConfig(request);
    default: return undefined;
  }
}

function training(r: unknown): SageMakerWorkload {
  const resources = field(r, 'ResourceConfig');
  const groups = list(field(resources, 'InstanceGroups'));
  const instanceTypes = groups.length ? groups.map((g) => field(g, 'InstanceType')) : [field(resources, 'InstanceType')];
  const counts = groups.length ? groups.map((g) => field(g, 'InstanceCount')) : [field(resources, 'InstanceCount')];
  return {
    kind: 'training',
    vpc: isPresent(field(r, 'VpcConfig')),
    networkIsolation: isOn(field(r, 'EnableNetworkIsolation')),
    volumeKms: takesVolumeKey(instanceTypes) ? isPresent(field(resources, 'VolumeKmsKeyId')) : undefined,
    outputKms: isPresent(field(field(r, 'OutputDataConfig'), 'KmsKeyId')),
    interContainerEncryption: severalInstances(counts) ? isOn(field(r, 'EnableInterContainerTrafficEncryption')) : undefined,
  };
}

function processing(r: unknown): SageMakerWorkload {
  const network = field(r, 'NetworkConfig');
  const cluster = at(r, 'ProcessingResources', 'ClusterConfig');
  return {
    kind: 'processing',
    vpc: isPresent(field(network, 'VpcConfig')),
    networkIsolation: isOn(field(network, 'EnableNetworkIsolation')),
    volumeKms: takesVolumeKey([field(cluster, 'InstanceType')]) ? isPresent(field(cluster, 'VolumeKmsKeyId')) : undefined,
    outputKms: isPresent(at(r, 'ProcessingOutputConfig', 'KmsKeyId')),
    interContainerEncryption: severalInstances([field(cluster, 'InstanceCount')]) ? isOn(field(network, 'EnableInterContainerTrafficEncryption')) : undefined,
  };
}

/** A transform job runs a model: its VPC and network isolation are the model's. */
function transform(r: unknown): SageMakerWorkload {
  const resources = field(r, 'TransformResources');
  return {
    kind: 'transform',
    volumeKms: takesVolumeKey([field(resources, 'InstanceType')]) ? isPresent(field(resources, 'VolumeKmsKeyId')) : undefined,
    outputKms: isPresent(at(r, 'TransformOutput', 'KmsKeyId')),
  };
}

function model(r: unknown): SageMakerWorkload {
  return { kind: 'model', vpc: isPresent(field(r, 'VpcConfig')), networkIsolation: isOn(field(r, 'EnableNetworkIsolation')) };
}

/** Serverless variants and instance types with local NVMe storage take no volume key. */
function endpointConfig(r: unknown): SageMakerWorkload {
  const variants = field(r, 'ProductionVariants');
  const instanceTypes = isUnknown(variants) ? [UNKNOWN] : list(variants).filter((v) => field(v, 'ServerlessConfig') === undefined).map((v) => field(v, 'InstanceType'));
  const capture = field(r, 'DataCaptureConfig');
  const captureOn = isPresent(capture) && field(capture, 'EnableCapture') !== false && field(capture, 'EnableCapture') !== 'false';
  const asyncOutput = at(r, 'AsyncInferenceConfig', 'OutputConfig');
  const outputs = [...(captureOn ? [field(capture, 'KmsKeyId')] : []), ...(isPresent(asyncOutput) ? [field(asyncOutput, 'KmsKeyId')] : [])];
  return {
    kind: 'endpoint-config',
    volumeKms: instanceTypes.length > 0 && takesVolumeKey(instanceTypes) ? isPresent(field(r, 'KmsKeyId')) : undefined,
    outputKms: outputs.length > 0 ? outputs.every(isPresent) : undefined,
    dataCapture: captureOn,
  };
}

/** Whether some instance type may take a volume key (unknown ones may). */
function takesVolumeKey(instanceTypes: unknown[]): boolean {
  return instanceTypes.some((t) => typeof t !== 'string' || isUnknown(t) || acceptsVolumeKmsKey(t));
}

/** Whether the job may run on more than one instance (unknown counts may). */
function severalInstances(counts: unknown[]): boolean {
  const known = counts.map(knownNumber);
  if (known.some((c) => c === undefined)) return counts.some((c) => c !== undefined) || counts.length > 1;
  return (known as number[]).reduce((a, b) => a + b, 0) > 1;
}
