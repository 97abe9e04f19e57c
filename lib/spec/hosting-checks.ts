// Cross-field rules of `inference.hosting` (the spec loader calls them once, so each problem is
// reported at the field that causes it): Fargate is CPU only and needs a serve command and the
// in-VPC service front end; each hosting's settings block applies to that hosting only.
import { isDeepStrictEqual } from 'node:util';
import { isGpuInstanceType } from './load-model-spec';
import { EndpointSpec, FargateHostingSpec, InferenceMode, ModelHosting, ServingFrontEnd } from './model-spec';

type Problem = (path: string, value: unknown, expected: string, fix: string) => void;

/** What the hosting rules read from the parsed inference block. */
export interface HostingSource {
  readonly mode: InferenceMode;
  readonly hosting: ModelHosting;
  readonly serving?: ServingFrontEnd;
  readonly endpoint: EndpointSpec;
  readonly fargate: FargateHostingSpec;
}

/** The blocks as their defaults resolve (what a spec that does not write them gets). */
export interface HostingDefaults {
  readonly endpoint: EndpointSpec;
  readonly fargate: FargateHostingSpec;
}

export function hostingProblems(i: HostingSource, defaults: HostingDefaults, problem: Problem): void {
  const realTime = i.mode !== InferenceMode.BATCH;
  if (i.hosting === ModelHosting.FARGATE) {
    const type = i.endpoint.instanceType;
    if (isGpuInstanceType(type)) {
      problem('inference.endpoint.instanceType', type, 'no GPU instance type with hosting fargate (Fargate tasks have CPUs only)',
        'use hosting: sagemaker for a GPU endpoint, or remove inference.endpoint and size the tasks in inference.fargate (cpu, memoryMiB)');
    } else if (!isDeepStrictEqual(i.endpoint, defaults.endpoint)) {
      problem('inference.endpoint', i.endpoint, 'no SageMaker endpoint settings with hosting fargate (they size a SageMaker endpoint)',
        'remove inference.endpoint and size the tasks in inference.fargate, or set hosting: sagemaker');
    }
    if (realTime && i.fargate.command.length === 0) {
      problem('inference.fargate.command', i.fargate.command, 'the image\'s serve command with hosting fargate',
        'write e.g. command: ["python3", "/opt/program/serve.py"] (it runs once the version\'s model is in /opt/ml/model)');
    }
    if (realTime && i.serving === ServingFrontEnd.API) {
      problem('inference.serving', i.serving, 'serving "service" with hosting fargate (the model service is reachable inside the platform VPC only; the Lambda front end runs outside it)',
        'set serving: service (or remove serving), or use hosting: sagemaker');
    }
  } else if (!isDeepStrictEqual(i.fargate, defaults.fargate)) {
    problem('inference.fargate', i.fargate, `no Fargate settings with hosting ${i.hosting} (they apply to hosting: fargate)`, 'set hosting: fargate, or remove inference.fargate');
  }
}

/** Hosting fargate in real time needs the service front end: chosen for it when the spec does not declare one. */
export function servingForHosting(i: HostingSource): { frontEnd: ServingFrontEnd; reason: string } | undefined {
  if (i.hosting !== ModelHosting.FARGATE || i.mode === InferenceMode.BATCH || i.serving !== undefined) return undefined;
  return { frontEnd: ServingFrontEnd.SERVICE, reason: 'serving "service" chosen for hosting fargate: the model service is reachable inside the platform VPC, where the service front end runs' };
}
