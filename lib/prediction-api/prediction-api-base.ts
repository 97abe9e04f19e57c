import { Duration } from 'aws-cdk-lib';
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
}

const MINUTE = Duration.minutes(1);
const PREDICT_ROUTES = { methods: ['GET', 'POST'], path: '/v1/*' } as const;

/** The grant and metrics shared by the prediction API and imported ones. */
export abstract class PredictionApiBase extends PredictionFrontEndBase implements IPredictionApi {
  abstract readonly httpApi?: apigwv2.IHttpApi;
  abstract readonly restApi?: apigw.IRestApi;
  abstract readonly predictFunction?: lambda.IFunction;

  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    const api = this.api();
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: PREDICT_ROUTES.methods.map((method) => api.arnForExecuteApi(method, PREDICT_ROUTES.path, '*')),
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

  private api(): apigwv2.IHttpApi | apigw.IRestApi {
    const api = this.httpApi ?? this.restApi;
    if (!api) throw new Error(`${this.node.path} has neither an HTTP API nor a REST API: import it with httpApi or restApi`);
    return api;
  }

  // HTTP APIs report per ApiId, REST APIs per ApiName (as aws-cdk-lib's own metric methods do).
  private apiMetric(metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    const dimensionsMap: cloudwatch.DimensionsMap = this.httpApi ? { ApiId: this.httpApi.apiId } : { ApiName: (this.api() as apigw.IRestApi).restApiName };
    return new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap, period: MINUTE, ...props });
  }
}

/** A prediction API known by its API Gateway API (another stack, another account). */
export class ImportedPredictionApi extends PredictionApiBase {
  readonly url: string;
  readonly httpApi?: apigwv2.IHttpApi;
  readonly restApi?: apigw.IRestApi;
  readonly predictFunction?: lambda.IFunction;

  constructor(scope: Construct, id: string, attrs: PredictionApiAttributes) {
    super(scope, id);
    if ((attrs.httpApi === undefined) === (attrs.restApi === undefined)) {
      throw new Error(`PredictionApi.fromPredictionApiAttributes needs exactly one of httpApi and restApi, but ${attrs.httpApi ? 'both were' : 'neither was'} provided: pass the API the prediction routes are on`);
    }
    this.url = attrs.url;
    this.httpApi = attrs.httpApi;
    this.restApi = attrs.restApi;
    this.predictFunction = attrs.predictFunction;
  }
}
