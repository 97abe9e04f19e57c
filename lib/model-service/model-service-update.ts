import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REGISTRY_EVENTS } from '../../lambda/shared/contract';
import { ENV } from '../../lambda/shared/env';
import { ECS_DEPLOYMENT_STATE_CHANGE, MODEL_SERVICE_SETTINGS_ENV, ModelServiceSettings } from '../../lambda/shared/model-service/settings';
import { MlopsFunction } from '../common/mlops-function';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { IModelRegistry } from '../model-registry/model-registry-base';

/** Props of {@link ModelServiceUpdateFunction}. */
export interface ModelServiceUpdateFunctionProps {
  readonly settings: ModelServiceSettings;
  /** The service it rolls out. */
  readonly service: ecs.FargateService;
  /** The service's task definition (its task and execution roles are the only roles the function may pass). */
  readonly taskDefinition: ecs.TaskDefinition;
  readonly registry: IModelRegistry;
  /** @default - the account's default event bus */
  readonly registryEventBus?: events.IEventBus;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The function that rolls a model's Fargate service out to each promoted version
 * (lambda/model-service-update), triggered by the registry's Model Promoted events of the model
 * and by the service's own deployment state changes (to record how a rollout ended). It may
 * describe and update only this service, register task definitions (ECS has no resource-level
 * permission for it), and pass only the service's task and execution roles.
 */
export class ModelServiceUpdateFunction extends MlopsFunction {
  constructor(scope: Construct, id: string, props: ModelServiceUpdateFunctionProps) {
    const { settings } = props;
    super(scope, id, {
      handlerName: 'model-service-update',
      description: `Rolls the ${settings.model} model service out to promoted versions`,
      environment: { [ENV.registryTable]: props.registry.tableName, [MODEL_SERVICE_SETTINGS_ENV]: Stack.of(scope).toJsonString(settings) },
      timeout: Duration.minutes(1),
      logRetention: props.logRetention,
    });
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [props.service.serviceArn] }));
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'], resources: ['*'] }));
    const roles = [props.taskDefinition.taskRole.roleArn, props.taskDefinition.obtainExecutionRole().roleArn];
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'], resources: roles,
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    props.registry.grantPromote(this);
    acknowledgeNag(this, F.lambdaBasicExecution(), F.lambdaRuntime(), F.actionsWithoutResourceLevelPermissions(), F.registryIndex(this, props.registry.tableArn));

    new events.Rule(this, 'OnPromotion', {
      eventBus: props.registryEventBus,
      description: `cdk-mlops: roll the ${settings.model} model service out to a promoted version`,
      eventPattern: { source: [REGISTRY_EVENTS.source], detailType: [REGISTRY_EVENTS.modelPromoted], detail: { model: [settings.model] } },
      targets: [new targets.LambdaFunction(this)],
    });
    new events.Rule(this, 'OnDeployment', {
      description: `cdk-mlops: record how a rollout of the ${settings.model} model service ended`,
      eventPattern: { source: ['aws.ecs'], detailType: [ECS_DEPLOYMENT_STATE_CHANGE], resources: [props.service.serviceArn] },
      targets: [new targets.LambdaFunction(this)],
    });
  }
}
