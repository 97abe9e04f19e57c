// `inference.hosting: fargate`: the model's image as a Fargate service in the platform VPC, and
// the front end's `:invoke` calling it over plain HTTP within the latency budget. The model sits
// behind its own internal ALB that admits the prediction service's tasks only: per-request load
// balancing over keep-alive connections and health-checked rollouts (the circuit breaker reads
// target health), where Cloud Map DNS would pin each keep-alive connection to one task and
// Service Connect would add a proxy to the front end's tasks.
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { ModelEndpointsConfig, latencyBudgetMs } from '../../lambda/shared/predict/invoke-config';
import { FRONT_END_OVERHEAD_MS } from '../checks/model-latency-fits-slo';
import { IDataLake } from '../data-lake/data-lake-base';
import { FargateModelService } from '../model-service/fargate-model-service';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { PredictionService } from '../prediction-service/prediction-service';
import { InferenceMode, ModelSpec } from '../spec/model-spec';
import { TrainingImage } from '../training-pipeline/training-image';
import { deployComposition } from './deploy-composition';
import { peakWindows } from './spec-mapping';

export interface DeployModelServiceProps {
  readonly spec: ModelSpec;
  readonly image: TrainingImage;
  readonly dataLake: IDataLake;
  readonly registry: IModelRegistry;
  /**
   * The model's front end (the spec loader requires serving: service with hosting fargate).
   * @default - none: an error that names the fix
   */
  readonly predictionService?: PredictionService;
  readonly logRetention: logs.RetentionDays;
}

/** Creates the model service and points the front end's `:invoke` at it. */
export function deployModelService(scope: Construct, props: DeployModelServiceProps): FargateModelService {
  const { spec, predictionService } = props;
  if (!predictionService) {
    throw new Error(`${spec.name}: inference.hosting fargate needs the service front end in the platform VPC, but inference.serving is ${spec.inference.serving}: set serving: service in ${spec.file}, or use hosting: sagemaker`);
  }
  const f = spec.inference.fargate;
  const service = new FargateModelService(scope, 'ModelService', {
    modelName: spec.name, image: props.image, command: f.command,
    dataLake: props.dataLake, registry: props.registry, categories: spec.categories,
    vpc: predictionService.vpc, cluster: predictionService.cluster,
    cpu: f.cpu, memoryLimitMiB: f.memoryMiB,
    minTaskCount: f.taskCount, maxTaskCount: f.maxTaskCount, tpsPerTask: f.tpsPerTask,
    peakWindows: peakWindows(spec),
    // The front end's access-log bucket takes the model load balancer's logs too (under their own prefix).
    accessLogsBucket: predictionService.node.tryFindChild('AccessLogs') as s3.IBucket | undefined,
    logRetention: props.logRetention,
  });
  service.allowFrom(predictionService.service);
  // A serial or parallel composition calls the service for the model's own step.
  const composed = deployComposition(scope, { spec, ownTarget: { url: service.url }, dataLake: props.dataLake, vpc: predictionService.vpc });
  composed?.grantInvoke(predictionService.service.taskDefinition.taskRole);
  const config: ModelEndpointsConfig = {
    models: {
      [spec.name]: {
        mode: spec.inference.mode === InferenceMode.BOTH ? 'both' : 'online',
        ...(composed ? { composition: composed.config } : { url: service.url }),
        budgetMs: latencyBudgetMs(spec.inference.slo.p99Ms, FRONT_END_OVERHEAD_MS[spec.inference.serving] ?? 0),
      },
    },
  };
  predictionService.service.taskDefinition.defaultContainer!.addEnvironment(PREDICT_ENV.modelEndpoints, JSON.stringify(config));
  return service;
}
