// An endpoint the function created (the model's first promotion) gets the same autoscaling the
// construct gives an endpoint it creates at deploy: a scalable target on the variant's instance
// count, target tracking on invocations per instance, and the scheduled peak minimums. Every
// call is idempotent (register/put by name), so it runs on each InService state change and
// repairs a target someone deleted.
import {
  ApplicationAutoScalingClient, PutScalingPolicyCommand, PutScheduledActionCommand, RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { EndpointSettings } from '../shared/serving-endpoint/settings';

export const SCALING_DIMENSION = 'sagemaker:variant:DesiredInstanceCount';
export const TARGET_TRACKING_POLICY = 'InvocationsPerInstance';

/** The scalable target's resource id. */
export function variantResourceId(settings: Pick<EndpointSettings, 'endpointName' | 'variantName'>): string {
  return `endpoint/${settings.endpointName}/variant/${settings.variantName}`;
}

/**
 * Registers the endpoint's autoscaling when the settings ask for it and the endpoint is
 * InService (Application Auto Scaling refuses a variant that is not). Returns whether it did.
 */
export async function ensureAutoscaling(sageMaker: SageMakerClient, autoScaling: ApplicationAutoScalingClient, settings: EndpointSettings): Promise<boolean> {
  const a = settings.autoscaling;
  if (!a) return false;
  const endpoint = await sageMaker.send(new DescribeEndpointCommand({ EndpointName: settings.endpointName })).catch((e: Error) => {
    if (e.name === 'ValidationException' && /could not find/i.test(e.message)) return undefined;
    throw e;
  });
  if (endpoint?.EndpointStatus !== 'InService') return false;
  const target = { ServiceNamespace: 'sagemaker' as const, ResourceId: variantResourceId(settings), ScalableDimension: SCALING_DIMENSION as never };
  await autoScaling.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: a.minCapacity, MaxCapacity: a.maxCapacity }));
  await autoScaling.send(new PutScalingPolicyCommand({
    ...target,
    PolicyName: TARGET_TRACKING_POLICY,
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: a.invocationsPerInstance,
      PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
      ScaleInCooldown: a.scaleInCooldownSeconds,
      ScaleOutCooldown: a.scaleOutCooldownSeconds,
    },
  }));
  for (const s of a.scheduledActions) {
    await autoScaling.send(new PutScheduledActionCommand({
      ...target,
      ScheduledActionName: s.name,
      Schedule: s.schedule,
      ...(s.timeZone ? { Timezone: s.timeZone } : {}),
      ScalableTargetAction: { MinCapacity: s.minCapacity, ...(s.maxCapacity !== undefined ? { MaxCapacity: s.maxCapacity } : {}) },
    }));
  }
  return true;
}
