// `inference.async` of one model: the queue, workers, jobs table and results bucket
// (AsyncInference), and the model's front end told about them (MLOPS_ASYNC_JOBS) with the grants
// for `:submit` and `GET jobs/{jobId}`. Called from ModelDeployment.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ASYNC_ENV, AsyncJobsConfig } from '../../lambda/shared/predict/async-config';
import { AsyncInference, AsyncInferenceProps } from '../async-inference/async-inference';
import { ModelEndpoint } from '../model-endpoint/model-endpoint';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { MlopsMonitoring } from '../monitoring/mlops-monitoring';
import { PredictionApi } from '../prediction-api/prediction-api';
import { PredictionService } from '../prediction-service/prediction-service';
import { AsyncInferenceSpec, ModelSpec } from '../spec/model-spec';
import { OwnerNotifications } from './owner-notifications';

export interface DeployAsyncProps {
  readonly spec: ModelSpec;
  readonly registry: IModelRegistry;
  readonly monitoring: MlopsMonitoring;
  readonly logRetention: logs.RetentionDays;
  /** The model's SageMaker real-time endpoint (the spec loader requires mode online or both, and hosting sagemaker, with async). */
  readonly endpoint?: ModelEndpoint;
  readonly predictionService?: PredictionService;
  readonly predictionApi?: PredictionApi;
  readonly owner?: OwnerNotifications;
}

/** The construct's limits from the spec's `inference.async`. */
export function asyncLimits(a: AsyncInferenceSpec): Pick<AsyncInferenceProps, 'timeout' | 'maxPayloadBytes' | 'resultRetention' | 'pollWindow' | 'maxAttempts' | 'maxConcurrency'> {
  return {
    timeout: Duration.seconds(a.timeoutSeconds),
    maxPayloadBytes: a.maxPayloadBytes,
    resultRetention: Duration.seconds(a.resultRetentionSeconds),
    pollWindow: Duration.seconds(a.pollWindowSeconds),
    maxAttempts: a.maxAttempts,
    maxConcurrency: a.maxConcurrency,
  };
}

/** The model's async jobs when its spec declares `inference.async`, else undefined. */
export function deployAsync(scope: Construct, props: DeployAsyncProps): AsyncInference | undefined {
  const a = props.spec.inference.async;
  if (!a) return undefined;
  if (!props.endpoint) {
    throw new Error(`${props.spec.name}: inference.async needs the model's SageMaker real-time endpoint, but mode is ${props.spec.inference.mode} and hosting ${props.spec.inference.hosting}: set mode: both or online, and hosting: sagemaker, in ${props.spec.file}`);
  }
  const jobs = new AsyncInference(scope, 'Async', {
    modelName: props.spec.name,
    endpoint: props.endpoint,
    registry: props.registry,
    alarmAction: new cloudwatchActions.SnsAction(props.monitoring.topic),
    ...asyncLimits(a),
    logRetention: props.logRetention,
  });
  const config: AsyncJobsConfig = { models: { [props.spec.name]: jobs.frontEndConfig } };
  const json = JSON.stringify(config);
  if (props.predictionService) {
    props.predictionService.service.taskDefinition.defaultContainer!.addEnvironment(ASYNC_ENV.jobs, json);
    jobs.grantSubmit(props.predictionService.service.taskDefinition.taskRole);
  }
  if (props.predictionApi) {
    props.predictionApi.predictFunction.addEnvironment(ASYNC_ENV.jobs, json);
    jobs.grantSubmit(props.predictionApi.predictFunction);
  }
  props.owner?.notifyOn(jobs.alarms);
  return jobs;
}
