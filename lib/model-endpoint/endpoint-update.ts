import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REGISTRY_EVENTS } from '../../lambda/shared/contract';
import { ENV } from '../../lambda/shared/env';
import { versionResourcePattern } from '../../lambda/shared/serving-endpoint/names';
import { ENDPOINT_SETTINGS_ENV, ENDPOINT_STATE_CHANGE, EndpointSettings, TrafficShiftType } from '../../lambda/shared/serving-endpoint/settings';
import { MlopsFunction } from '../common/mlops-function';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { IModelRegistry } from '../model-registry/model-registry-base';

/** How a promotion moves an endpoint's traffic to the new version (SageMaker blue/green traffic routing). */
export class EndpointShift {
  /**
   * `percent` of the capacity first; the rest after `wait` if no alarm went off.
   * @param percent share of capacity in the canary (1-50)
   * @param wait baking time of the canary (up to 1 hour)
   */
  static canary(percent: number, wait: Duration): EndpointShift { return new EndpointShift('CANARY', percent, wait); }

  /**
   * `percent` of the capacity per step, `wait` between steps.
   * @param percent share of capacity per step (1-50)
   * @param wait time between steps (up to 1 hour)
   */
  static linear(percent: number, wait: Duration): EndpointShift { return new EndpointShift('LINEAR', percent, wait); }

  /** What the update function passes to UpdateEndpoint. */
  readonly settings: EndpointSettings['shift'];

  private constructor(type: TrafficShiftType, percent: number, wait: Duration) {
    const name = type === 'CANARY' ? 'canary' : 'linear';
    if (!Token.isUnresolved(percent) && (!Number.isInteger(percent) || percent < 1 || percent > 50)) {
      throw new Error(`EndpointShift.${name} percent must be a whole number between 1 and 50, but ${percent} was provided`);
    }
    const waitSeconds = wait.toSeconds();
    if (!Token.isUnresolved(waitSeconds) && (waitSeconds < 0 || waitSeconds > 3600)) {
      throw new Error(`EndpointShift.${name} wait must be between 0 seconds and 1 hour (SageMaker's limit), but ${waitSeconds} seconds was provided`);
    }
    this.settings = { type, percent, waitSeconds };
  }
}

export interface EndpointUpdateFunctionProps {
  readonly settings: EndpointSettings;
  /** The role the endpoint's models run with (the only role the function may pass). */
  readonly endpointRole: iam.IRole;
  /** The key of the endpoint's volume and captured data. */
  readonly encryptionKey: kms.IKey;
  /**
   * IAM conditions on CreateModel (e.g. `sagemaker:NetworkIsolation`, `sagemaker:VpcSubnets`).
   * @default - none
   */
  readonly createModelConditions?: { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * IAM conditions on CreateEndpointConfig (e.g. `sagemaker:VolumeKmsKey`).
   * @default - none
   */
  readonly createEndpointConfigConditions?: { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly registry: IModelRegistry;
  /** @default - the account's default event bus */
  readonly registryEventBus?: events.IEventBus;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The function that shifts a model's endpoint to each promoted version (lambda/model-endpoint-update),
 * triggered by the registry's Model Promoted events of the model and by the endpoint's own state
 * changes (to record how a shift ended). It may create only this model's models and endpoint
 * configs, update and describe only this endpoint, and pass only the endpoint's role.
 */
export class EndpointUpdateFunction extends MlopsFunction {
  constructor(scope: Construct, id: string, props: EndpointUpdateFunctionProps) {
    const { settings } = props;
    super(scope, id, {
      handlerName: 'model-endpoint-update',
      description: `Shifts the ${settings.endpointName} endpoint to promoted versions of ${settings.model}`,
      environment: { [ENV.registryTable]: props.registry.tableName, [ENDPOINT_SETTINGS_ENV]: Stack.of(scope).toJsonString(settings) },
      timeout: Duration.minutes(1),
      logRetention: props.logRetention,
    });
    const stack = Stack.of(this);
    // SageMaker ARNs spell names in lower case.
    const arn = (resource: string, name: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: name.toLowerCase() });
    const pattern = versionResourcePattern(settings.model);
    const endpoint = arn('endpoint', settings.endpointName);
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:CreateModel'], resources: [arn('model', pattern)], conditions: props.createModelConditions }));
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:CreateEndpointConfig'], resources: [arn('endpoint-config', pattern)], conditions: props.createEndpointConfigConditions }));
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint'], resources: [endpoint, arn('endpoint-config', pattern)] }));
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeEndpoint'], resources: [endpoint] }));
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'], resources: [props.endpointRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));
    // CreateEndpoint / UpdateEndpoint with a volume or capture key: SageMaker takes a grant on it for the caller.
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['kms:CreateGrant', 'kms:DescribeKey'], resources: [props.encryptionKey.keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
    if (settings.autoscaling) this.grantEndpointAutoscaling(settings);
    props.registry.grantPromote(this);
    acknowledgeNag(this, F.lambdaBasicExecution(), F.lambdaRuntime(), F.registryIndex(this, props.registry.tableArn),
      F.endpointVersions(this, arn('model', pattern)), F.endpointVersions(this, arn('endpoint-config', pattern)));

    new events.Rule(this, 'OnPromotion', {
      eventBus: props.registryEventBus,
      description: `cdk-mlops: shift the ${settings.endpointName} endpoint to a promoted version of ${settings.model}`,
      eventPattern: { source: [REGISTRY_EVENTS.source], detailType: [REGISTRY_EVENTS.modelPromoted], detail: { model: [settings.model] } },
      targets: [new targets.LambdaFunction(this)],
    });
    new events.Rule(this, 'OnEndpointState', {
      description: `cdk-mlops: record how a shift of the ${settings.endpointName} endpoint ended`,
      eventPattern: { source: ['aws.sagemaker'], detailType: [ENDPOINT_STATE_CHANGE], detail: { EndpointName: [settings.endpointName] } },
      targets: [new targets.LambdaFunction(this)],
    });
  }

  /**
   * What registering the endpoint's autoscaling takes: the scalable target, its policy and
   * scheduled actions (Application Auto Scaling scopes them by scalable-target ARN only, which
   * is unknown before registration), the service-linked role SageMaker scaling uses, and the
   * calls Application Auto Scaling makes as the caller (the variant's capacity, the target
   * tracking alarms).
   */
  private grantEndpointAutoscaling({ model, endpointName, variantName }: EndpointSettings): void {
    const stack = Stack.of(this);
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['application-autoscaling:RegisterScalableTarget', 'application-autoscaling:PutScalingPolicy', 'application-autoscaling:PutScheduledAction',
        'application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingPolicies', 'application-autoscaling:DescribeScheduledActions'],
      resources: [stack.formatArn({ service: 'application-autoscaling', resource: 'scalable-target', resourceName: '*' })],
    }));
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sagemaker:DescribeEndpointConfig', 'sagemaker:UpdateEndpointWeightsAndCapacities'],
      resources: [stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: endpointName.toLowerCase() }),
        stack.formatArn({ service: 'sagemaker', resource: 'endpoint-config', resourceName: versionResourcePattern(model).toLowerCase() })],
    }));
    const alarms = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `TargetTracking-endpoint/${endpointName}/variant/${variantName}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms'], resources: [alarms] }));
    acknowledgeNag(this, F.scalableTargets(), F.targetTrackingAlarms(this, alarms));
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint' })],
      conditions: { StringLike: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } },
    }));

  }
}
