import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/shared/env';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { MlopsFunction } from '../common/mlops-function';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { IPredictionStore } from '../prediction-store/prediction-store-base';
import { schedulePeaks } from '../prediction-service/peak-schedule';
import { PeakWindow, ServedModelProps, servingConfigJson } from '../prediction-service/serving-props';
import { IPredictionApi, ImportedPredictionApi, PredictionApiAttributes, PredictionApiBase } from './prediction-api-base';
import { validatePredictionApiProps } from './validate-prediction-api-props';
import { GuardFindings, acknowledgeGuard, acknowledgeOperationalLogRetention } from '../common/guard';
import { MlopsLogGroup } from '../common/log-key';

/** JSON access log lines (queryable in Logs Insights), with the variables HTTP APIs support. */
const HTTP_API_ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(JSON.stringify({
  requestId: '$context.requestId', ip: '$context.identity.sourceIp', requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod', routeKey: '$context.routeKey', path: '$context.path', status: '$context.status',
  protocol: '$context.protocol', responseLength: '$context.responseLength', responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency', integrationError: '$context.integrationErrorMessage',
}));
/** Props of {@link PredictionApi}. */
export interface PredictionApiProps {
  /** Where predictions are read. */
  readonly predictionStore: IPredictionStore;
  /** The registry, to resolve production versions at run time. */
  readonly registry: IModelRegistry;
  /** The models served, with their rules. */
  readonly models: ServedModelProps[];
  /**
   * Highest declared requests per second: the stage throttles at this rate with a burst of twice it.
   * @default 100
   */
  readonly maxTps?: number;
  /**
   * Provisioned concurrency of the function: during `peakWindows` when windows are given
   * (Application Auto Scaling scheduled actions on the alias), else always.
   * @default 0 - on-demand only
   */
  readonly provisionedConcurrency?: number;
  /**
   * Windows of known peak traffic for scheduled provisioned concurrency.
   * @default - none
   */
  readonly peakWindows?: PeakWindow[];
  /**
   * Memory of the function (CPU grows with it; 1024 MB keeps p99 low at little cost).
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Allow unsigned requests. By default callers sign requests with SigV4 (IAM authorization)
   * and need execute-api:Invoke, or an API key on a REST API.
   * @default false
   */
  readonly publicAccess?: boolean;
  /**
   * WAF web ACL to associate (needs a REST API: HTTP APIs cannot carry a web ACL).
   * @default - none
   */
  readonly webAclArn?: string;
  /**
   * Require API keys with a usage plan (REST API only).
   * @default false
   */
  readonly apiKeyRequired?: boolean;
  /**
   * Retention of access and function logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The low-traffic prediction front end: API Gateway in front of a Lambda function on the same
 * predict core as the Fargate service. An HTTP API by default (about a third of the REST API
 * price); a REST API when a WAF web ACL or API keys are asked for. Stage throttling from the
 * declared peak; optional provisioned concurrency scheduled for peak windows.
 */
export class PredictionApi extends PredictionApiBase {
  /** Imports a prediction API defined elsewhere (another stack or account), by its API Gateway API. */
  static fromPredictionApiAttributes(scope: Construct, id: string, attrs: PredictionApiAttributes): IPredictionApi {
    return new ImportedPredictionApi(scope, id, attrs);
  }

  /** The prediction function. */
  public readonly predictFunction: MlopsFunction;
  /** The alias the API invokes (carries provisioned concurrency). */
  public readonly alias: lambda.Alias;
  /** The HTTP API, when no REST-only feature was asked for. */
  public readonly httpApi?: apigwv2.HttpApi;
  /** The REST API, when a web ACL or API keys were asked for. */
  public readonly restApi?: apigw.RestApi;
  /** The usage plan, when API keys are required. */
  public readonly usagePlan?: apigw.UsagePlan;
  /** Base URL of the API. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: PredictionApiProps) {
    super(scope, id);
    validatePredictionApiProps(props);
    const maxTps = props.maxTps ?? 100;
    const pc = props.provisionedConcurrency ?? 0;
    const servingConfig = servingConfigJson(props.models);
    if (servingConfig.length > 3500) {
      throw new Error(`the serving configuration is ${servingConfig.length} characters, but Lambda environments hold 4 KB: shorten the rules, or serve these models with PredictionService`);
    }
    const useRest = props.webAclArn !== undefined || props.apiKeyRequired === true;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.predictFunction = new MlopsFunction(this, 'Function', {
      handlerName: 'predict-api',
      description: 'cdk-mlops prediction API: lookup -> rules -> answer',
      memorySize: props.memorySize ?? 1024,
      timeout: Duration.seconds(10),
      logRetention: retention,
      environment: {
        [ENV.predictionsTable]: props.predictionStore.tableName,
        [ENV.registryTable]: props.registry.tableName,
        [PREDICT_ENV.servingConfig]: servingConfig,
      },
    });
    props.predictionStore.grantReadPredictions(this.predictFunction);
    props.registry.grantRead(this.predictFunction);

    const always = pc > 0 && !props.peakWindows?.length;
    this.alias = new lambda.Alias(this, 'Live', {
      aliasName: 'live',
      version: this.predictFunction.currentVersion,
      provisionedConcurrentExecutions: always ? pc : undefined,
    });
    if (pc > 0 && props.peakWindows?.length) {
      const scaling = this.alias.addAutoScaling({ minCapacity: 0, maxCapacity: pc });
      schedulePeaks(scaling, props.peakWindows, { peak: { minCapacity: pc, maxCapacity: pc }, normal: { minCapacity: 0, maxCapacity: 0 } });
    }

    acknowledgeNag(this, F.lambdaBasicExecution(), F.lambdaRuntime(), F.actionsWithoutResourceLevelPermissions(), F.registryIndex(this, props.registry.tableArn));

    const accessLogs = new MlopsLogGroup(this, 'AccessLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    acknowledgeOperationalLogRetention(accessLogs);
    const throttle = { rateLimit: maxTps, burstLimit: Math.ceil(maxTps * 2) };
    if (!useRest) {
      this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
        description: 'cdk-mlops predictions',
        createDefaultStage: false,
        defaultAuthorizer: props.publicAccess ? undefined : new authorizers.HttpIamAuthorizer(),
      });
      new apigwv2.HttpStage(this, 'DefaultStage', {
        httpApi: this.httpApi,
        stageName: '$default',
        autoDeploy: true,
        throttle,
        accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: HTTP_API_ACCESS_LOG_FORMAT },
      });
      const integration = new integrations.HttpLambdaIntegration('Predict', this.alias);
      this.httpApi.addRoutes({ path: '/v1/{proxy+}', methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST], integration });
      for (const permission of this.node.findAll().filter((c) => c instanceof lambda.CfnPermission)) acknowledgeGuard(permission, GuardFindings.apiRoutePermission());
      this.url = this.httpApi.apiEndpoint;
      if (props.publicAccess) acknowledgeNag(this, F.publicApi());
    } else {
      this.restApi = new apigw.RestApi(this, 'RestApi', {
        description: 'cdk-mlops predictions',
        cloudWatchRole: true,
        cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
        deployOptions: {
          throttlingRateLimit: throttle.rateLimit,
          throttlingBurstLimit: throttle.burstLimit,
          accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
          accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
          loggingLevel: apigw.MethodLoggingLevel.ERROR,
          tracingEnabled: true,
        },
        endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      });
      const integration = new apigw.LambdaIntegration(this.alias);
      const methodOptions: apigw.MethodOptions = {
        authorizationType: props.publicAccess ? apigw.AuthorizationType.NONE : apigw.AuthorizationType.IAM,
        apiKeyRequired: props.apiKeyRequired ?? false,
      };
      const proxy = this.restApi.root.addResource('v1').addResource('{proxy+}');
      proxy.addMethod('GET', integration, methodOptions);
      proxy.addMethod('POST', integration, methodOptions);
      if (props.apiKeyRequired) {
        this.usagePlan = this.restApi.addUsagePlan('UsagePlan', { throttle, apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }] });
      }
      if (props.webAclArn) {
        new wafv2.CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.restApi.deploymentStage.stageArn, webAclArn: props.webAclArn });
      }
      this.url = this.restApi.url;
      acknowledgeNag(this, F.handlerValidatesRequests(), F.apiGatewayLogsRole(), F.iamCallers(),
        ...(props.webAclArn ? [] : [F.noWebAcl()]), ...(props.publicAccess ? [F.publicApi()] : []));
    }
  }
}
