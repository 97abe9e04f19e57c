import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { IPredictionFrontEnd, PredictionFrontEndBase } from '../prediction-service/prediction-front-end-base';

/** The low-traffic prediction front end: API Gateway (an HTTP API, or a REST API) in front of a Lambda function. */
export interface IPredictionApi extends IPredictionFrontEnd {
  /** The HTTP API, when the front end is one. */
  readonly httpApi?: apigwv2.IHttpApi;
  /** The REST API, when the front end is one. */
  readonly restApi?: apigw.IRestApi;
  /** The prediction function, when known. */
  readonly predictFunction?: lambda.IFunction;

  /**
   * Lets the grantee call the prediction routes (execute-api:Invoke on `GET` and `POST /v1/*`,
   * every stage): what a caller signing requests with SigV4 needs under IAM authorization.
   */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;

  /** Latency in milliseconds as clients see it (AWS/ApiGateway Latency, p99 per minute). */
  metricPredictionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests (AWS/ApiGateway Count, Sum per minute). */
  metricRequestCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** 5xx answers (AWS/ApiGateway 5xx / 5XXError, Sum per minute). */
  metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Attributes of a prediction API defined elsewhere, for {@link PredictionApi.fromPredictionApiAttributes}. Give `httpApi` or `restApi`. */
export interface PredictionApiAttributes {
  /** Base URL of the API. */
  readonly url: string;
  /**
   * The HTTP API (`HttpApi.fromHttpApiAttributes`).
   * @default - none: give `restApi`
   */
  readonly httpApi?: apigwv2.IHttpApi;
  /**
   * The REST API (`RestApi.fromRestApiAttributes`; its `restApiName` is the metrics' ApiName).
   * @default - none: give `httpApi`
   */
  readonly restApi?: apigw.IRestApi;
  /**
   * The prediction function.
   * @default - unknown
   */
  readonly predictFunction?: lambda.IFunction;
  /**
   * Account of the API, when it is not the importing stack's (`grantInvoke` and the metrics use it).
   * @default - the importing stack's account
   */
  readonly account?: string;
  /**
   * Region of the API, when it is not the importing stack's.
   * @default - the importing stack's region
   */
  readonly region?: string;
}

const MINUTE = Duration.minutes(1);
const PREDICT_ROUTES = { methods: ['GET', 'POST'], path: '/v1/*' } as const;

/** The grant and metrics shared by the prediction API and imported ones. */
export abstract class PredictionApiBase extends PredictionFrontEndBase implements IPredictionApi {
  abstract readonly httpApi?: apigwv2.IHttpApi;
  abstract readonly restApi?: apigw.IRestApi;
  abstract readonly predictFunction?: lambda.IFunction;

  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: PREDICT_ROUTES.methods.map((method) => this.executeApiArn(method, PREDICT_ROUTES.path)),
    });
  }

  metricPredictionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.apiMetric('Latency', { statistic: 'p99', ...props });
  }

  metricRequestCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.apiMetric('Count', { statistic: 'Sum', ...props });
  }

  metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    // HTTP APIs name it 5xx, REST APIs 5XXError.
    return this.apiMetric(this.httpApi ? '5xx' : '5XXError', { statistic: 'Sum', ...props });
  }

  /** The execute-api ARN of a route, every stage. */
  protected executeApiArn(method: string, path: string): string {
    return this.api().arnForExecuteApi(method, path, '*');
  }

  /** Account and region of the API's metrics, when they are not the stack's. */
  protected apiMetricOptions(): cloudwatch.MetricOptions {
    return {};
  }

  private api(): apigwv2.IHttpApi | apigw.IRestApi {
    const api = this.httpApi ?? this.restApi;
    if (!api) throw new Error(`${this.node.path} has neither an HTTP API nor a REST API: import it with httpApi or restApi`);
    return api;
  }

  // HTTP APIs report per ApiId, REST APIs per ApiName (as aws-cdk-lib's own metric methods do).
  private apiMetric(metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    const dimensionsMap: cloudwatch.DimensionsMap = this.httpApi ? { ApiId: this.httpApi.apiId } : { ApiName: (this.api() as apigw.IRestApi).restApiName };
    return new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap, period: MINUTE, ...this.apiMetricOptions(), ...props });
  }
}

/** A prediction API known by its API Gateway API (another stack, another account). */
export class ImportedPredictionApi extends PredictionApiBase {
  readonly url: string;
  readonly httpApi?: apigwv2.IHttpApi;
  readonly restApi?: apigw.IRestApi;
  readonly predictFunction?: lambda.IFunction;
  private readonly account?: string;
  private readonly region?: string;

  constructor(scope: Construct, id: string, attrs: PredictionApiAttributes) {
    super(scope, id);
    if ((attrs.httpApi === undefined) === (attrs.restApi === undefined)) {
      throw new Error(`PredictionApi.fromPredictionApiAttributes needs exactly one of httpApi and restApi, but ${attrs.httpApi ? 'both were' : 'neither was'} provided: pass the API the prediction routes are on`);
    }
    this.url = attrs.url;
    this.httpApi = attrs.httpApi;
    this.restApi = attrs.restApi;
    this.predictFunction = attrs.predictFunction;
    this.account = attrs.account;
    this.region = attrs.region;
  }

  // Imported APIs carry no environment: an API of another account or region is named explicitly.
  protected executeApiArn(method: string, path: string): string {
    if (this.account === undefined && this.region === undefined) return super.executeApiArn(method, path);
    const apiId = this.httpApi?.apiId ?? this.restApi!.restApiId;
    return Stack.of(this).formatArn({ service: 'execute-api', account: this.account, region: this.region, resource: apiId, resourceName: `*/${method}${path}` });
  }

  protected apiMetricOptions(): cloudwatch.MetricOptions {
    return { account: this.account, region: this.region };
  }
}
