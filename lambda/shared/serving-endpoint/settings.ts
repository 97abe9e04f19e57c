// What the ModelEndpoint construct hands its update function (one JSON environment variable):
// everything CreateModel, CreateEndpointConfig and UpdateEndpoint need besides the version's
// artifact, so a promoted version runs exactly like the construct's own model would.

/** SageMaker's EventBridge detail type for endpoint status changes (the rule and the handler match it). */
export const ENDPOINT_STATE_CHANGE = 'SageMaker Endpoint State Change';

/** Environment variable holding the JSON EndpointSettings. */
export const ENDPOINT_SETTINGS_ENV = 'MLOPS_ENDPOINT_SETTINGS';

/** Blue/green traffic shifting: CANARY moves `percent` first, LINEAR moves `percent` per step. */
export type TrafficShiftType = 'CANARY' | 'LINEAR';

export interface EndpointSettings {
  readonly model: string;
  /** The model's categories: each has its own endpoint record in the registry. */
  readonly categories: string[];
  readonly endpointName: string;
  readonly image: string;
  readonly roleArn: string;
  readonly environment: Record<string, string>;
  readonly networkIsolation: boolean;
  readonly vpc?: { readonly securityGroupIds: string[]; readonly subnets: string[] };
  readonly variantName: string;
  readonly instanceType: string;
  readonly initialInstanceCount: number;
  /** Volume key (absent for instance types that reject one). */
  readonly kmsKeyId?: string;
  readonly dataCapture?: { readonly percent: number; readonly destinationS3Uri: string; readonly kmsKeyId: string };
  readonly shift: { readonly type: TrafficShiftType; readonly percent: number; readonly waitSeconds: number };
  /** Alarms that roll a shift back (latency, errors). */
  readonly rollbackAlarms: string[];
  /** Autoscaling the function registers once an endpoint it created is InService (absent when the construct created the endpoint with its own). */
  readonly autoscaling?: EndpointAutoscaling;
}

/** Application Auto Scaling of the endpoint's variant: target tracking on invocations per instance, plus scheduled peak minimums. */
export interface EndpointAutoscaling {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** SageMakerVariantInvocationsPerInstance target (a per-minute sum). */
  readonly invocationsPerInstance: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scheduledActions: ReadonlyArray<{ readonly name: string; readonly schedule: string; readonly timeZone?: string; readonly minCapacity: number; readonly maxCapacity?: number }>;
}
