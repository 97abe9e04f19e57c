// Wires a model's serial or parallel composition (spec `inference.composition`) into its stack:
// SageMaker endpoints for image steps, the front end's rights to call every step, and the
// runtime configuration the front end executes. Called once per model with a composition, from
// ModelDeployment.realTime (hosting sagemaker) or deployModelService (hosting fargate).
//
// Design: the model's own endpoint is rebuilt by each promotion (CreateModel per version), while
// image steps change only with the spec; so each run of consecutive image steps gets one
// CloudFormation-managed SageMaker inference pipeline endpoint (one call for the run), and the
// front end chains those, Lambda function steps and the model within one latency budget.
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ComposedStep, CompositionConfig, StepTarget } from '../../lambda/shared/predict/compose-config';
import { CompositionStepEndpoint } from '../composition/step-endpoint';
import { IDataLake } from '../data-lake/data-lake-base';
import { CompositionKind, CompositionStepSpec, ModelSpec } from '../spec/model-spec';

export interface DeployedComposition {
  /** What the front end executes (PREDICT_ENV.modelEndpoints' `composition`). */
  readonly config: CompositionConfig;
  /** Lets a front end call every step and branch (the model's own endpoint is granted by its ModelEndpoint). */
  grantInvoke(grantee: iam.IGrantable): void;
}

export interface DeployCompositionProps {
  readonly spec: ModelSpec;
  /**
   * What answers for the model itself (the model step, or a branch naming this model): its
   * SageMaker endpoint (`{ sageMakerEndpoint }`, hosting sagemaker) or its Fargate service's URL
   * (`{ url }`, hosting fargate). Granted by the hosting itself (ModelEndpoint.grantInvoke,
   * FargateModelService.allowFrom).
   */
  readonly ownTarget: StepTarget;
  readonly dataLake: IDataLake;
  readonly vpc?: ec2.IVpc;
}

/** The composition's endpoints, grants and runtime configuration; undefined when the spec has none. */
export function deployComposition(scope: Construct, props: DeployCompositionProps): DeployedComposition | undefined {
  const { spec } = props;
  const composition = spec.inference.composition;
  if (!composition) return undefined;
  const stack = Stack.of(scope);
  const endpoints: CompositionStepEndpoint[] = [];
  const functionArns: string[] = [];
  const otherEndpointArns: string[] = [];

  const stepEndpoint = (steps: CompositionStepSpec[]): string => {
    const endpoint = new CompositionStepEndpoint(scope, `Step-${steps[0].name}`, {
      endpointName: `${spec.name}-${steps[0].name}`.slice(0, 63).replace(/-+$/, ''),
      images: steps.map((s) => s.imageUri!),
      modelName: spec.name,
      encryptionKey: props.dataLake.encryptionKey,
      instanceType: spec.inference.endpoint.instanceType,
      instanceCount: spec.inference.endpoint.instanceCount,
      maxInstanceCount: spec.inference.endpoint.maxInstanceCount,
      tpsPerInstance: spec.inference.endpoint.tpsPerInstance,
      vpc: props.vpc,
    });
    endpoints.push(endpoint);
    return endpoint.endpointName;
  };
  const functionArn = (nameOrArn: string): string => (nameOrArn.startsWith('arn:') ? nameOrArn
    : stack.formatArn({ service: 'lambda', resource: 'function', resourceName: nameOrArn, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));

  const steps: ComposedStep[] = [];
  if (composition.kind === CompositionKind.SERIAL) {
    // Consecutive image steps share one inference pipeline endpoint.
    let run: CompositionStepSpec[] = [];
    const flush = () => {
      if (run.length === 0) return;
      steps.push({ name: run.map((s) => s.name).join('+'), target: { sageMakerEndpoint: stepEndpoint(run) } });
      run = [];
    };
    for (const s of composition.steps) {
      if (s.imageUri) { run.push(s); continue; }
      flush();
      if (s.functionName) {
        functionArns.push(functionArn(s.functionName));
        steps.push({ name: s.name, target: { function: s.functionName } });
      } else {
        steps.push({ name: s.name, target: props.ownTarget });
      }
    }
    flush();
  } else {
    for (const b of composition.steps) {
      let target: ComposedStep['target'];
      if (b.imageUri) target = { sageMakerEndpoint: stepEndpoint([b]) };
      else if (b.model === spec.name) target = props.ownTarget;
      else {
        // Another model of the platform: its ModelEndpoint is named after the model (a model
        // hosted on Fargate is reachable from its own front end only, so it cannot be a branch).
        otherEndpointArns.push(stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: b.model! }));
        target = { sageMakerEndpoint: b.model! };
      }
      steps.push({ name: b.name, target, weight: b.weight, ...(b.timeoutMs !== undefined ? { timeoutMs: b.timeoutMs } : {}) });
    }
  }

  const config: CompositionConfig = composition.kind === CompositionKind.SERIAL
    ? { kind: 'serial', steps }
    : { kind: 'parallel', steps, combine: composition.combine!, quorum: composition.quorum };
  return {
    config,
    grantInvoke(grantee) {
      for (const e of endpoints) e.grantInvoke(grantee);
      if (functionArns.length > 0) iam.Grant.addToPrincipal({ grantee, actions: ['lambda:InvokeFunction'], resourceArns: functionArns });
      if (otherEndpointArns.length > 0) iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: otherEndpointArns });
    },
  };
}
