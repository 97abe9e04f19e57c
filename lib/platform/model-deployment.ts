import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BatchInference } from '../batch-inference/batch-inference';
import { IDataLake } from '../data-lake/data-lake-base';
import { GpuBatchCompute } from '../gpu-batch-compute/gpu-batch-compute';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { MlopsMonitoring } from '../monitoring/mlops-monitoring';
import { PredictionApi } from '../prediction-api/prediction-api';
import { PredictionService } from '../prediction-service/prediction-service';
import { IPredictionStore } from '../prediction-store/prediction-store-base';
import { InferenceMode, ModelSpec, PromotionMode, ServingFrontEnd, TrainingEngine } from '../spec/model-spec';
import { TrainingBackend } from '../training-pipeline/training-backend';
import { TrainingImage } from '../training-pipeline/training-image';
import { TrainingPipeline } from '../training-pipeline/training-pipeline';
import * as map from './spec-mapping';
import { specPropProblems } from './validate-spec-props';
import { ModelSpecError } from '../spec/load-model-spec';

/** What a model deployment shares with the rest of the platform. */
export interface ModelDeploymentProps {
  /** The validated model spec. */
  readonly spec: ModelSpec;
  readonly dataLake: IDataLake;
  readonly registry: IModelRegistry;
  readonly predictionStore: IPredictionStore;
  readonly monitoring: MlopsMonitoring;
  /**
   * Retention of the model's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The platform's shared VPC for the model's Batch compute and prediction service.
   * @default - the Batch compute and the prediction service each create their own VPC
   */
  readonly vpc?: ec2.IVpc;
}

const ECR_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+)(?::([A-Za-z0-9._-]+)|@(sha256:[a-f0-9]{64}))?$/;

/**
 * Everything one model spec asks for, and nothing shared with another model: its training
 * pipeline, its batch inference, its own serving front end, and its alarms. The platform
 * creates one per model (`MlopsPlatform.addModel`).
 */
export class ModelDeployment extends Construct {
  readonly spec: ModelSpec;
  readonly trainingPipeline: TrainingPipeline;
  readonly batchInference?: BatchInference;
  readonly predictionService?: PredictionService;
  readonly predictionApi?: PredictionApi;
  /** Base URL of the model's prediction endpoint, when it has one. */
  readonly endpointUrl?: string;
  /** ECR repository of the model's image (scoring may pull from it only). */
  private imageRepository?: ecr.IRepository;
  private readonly vpc?: ec2.IVpc;

  constructor(scope: Construct, id: string, props: ModelDeploymentProps) {
    super(scope, id);
    const { spec, dataLake, registry, predictionStore, monitoring } = props;
    this.spec = spec;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    // Specs from the loader were checked already; a spec built by hand gets the same problem list.
    const problems = specPropProblems(spec);
    if (problems.length) throw new ModelSpecError(problems);

    this.vpc = props.vpc;
    const image = this.trainingImage(spec);
    const batch = spec.inference.mode === InferenceMode.BATCH || spec.inference.mode === InferenceMode.BOTH;
    if (batch) {
      this.batchInference = new BatchInference(this, 'BatchInference', {
        model: spec.name,
        categories: spec.categories,
        dataLake, registry, predictionStore,
        predictionTtl: Duration.seconds(spec.inference.ttlSeconds),
        scoringImage: image.imageUri,
        scoringImageRepository: this.imageRepository,
        driftFunction: monitoring.driftComputeFunction,
        logRetention,
      });
    }

    this.trainingPipeline = new TrainingPipeline(this, 'Training', {
      modelName: spec.name,
      categories: spec.categories,
      dataLake, registry,
      backend: this.backend(spec, image),
      hyperparameters: spec.training.hyperparameters,
      dataValidation: map.dataValidation(spec),
      evaluation: map.evaluationPolicy(spec),
      promotion: spec.evaluation.promotion,
      approvalTimeout: spec.evaluation.promotion === PromotionMode.MANUAL ? Duration.seconds(spec.evaluation.approvalTimeoutSeconds) : undefined,
      schedule: map.trainingSchedule(spec),
      trainingAttempts: spec.training.retries + 1,
      ...map.trainingFanOut(spec),
      notificationTopic: monitoring.topic,
      logRetention,
      batchInference: this.batchInference,
    });

    const served = map.servedModel(spec);
    const tps = spec.inference.tps;
    if (spec.inference.serving === ServingFrontEnd.SERVICE) {
      this.predictionService = new PredictionService(this, 'Service', {
        predictionStore, registry, models: [served], vpc: this.vpc,
        ...map.serviceAccess(this, spec),
        minTps: tps.min, avgTps: tps.avg, maxTps: tps.max,
        peakWindows: map.peakWindows(spec),
        logRetention,
      });
      this.endpointUrl = this.predictionService.url;
    } else if (spec.inference.serving === ServingFrontEnd.API) {
      this.predictionApi = new PredictionApi(this, 'Api', {
        predictionStore, registry, models: [served],
        maxTps: tps.max,
        peakWindows: map.peakWindows(spec),
        provisionedConcurrency: map.apiProvisionedConcurrency(spec),
        logRetention,
      });
      this.endpointUrl = this.predictionApi.url;
    }
    this.monitor(spec, monitoring);
  }

  private trainingImage(spec: ModelSpec): TrainingImage {
    if (spec.training.imageDirectory) {
      // Staged at synth (no Docker needed); built and pushed by `cdk deploy`. SageMaker and
      // Batch GPU instances run x86_64 images.
      const asset = new DockerImageAsset(this, 'Image', { directory: spec.training.imageDirectory, platform: Platform.LINUX_AMD64 });
      this.imageRepository = asset.repository;
      return TrainingImage.fromEcrRepository(asset.repository, asset.imageTag);
    }
    const uri = spec.training.imageUri!;
    const m = ECR_URI.exec(uri);
    if (!m) return TrainingImage.fromRegistry(uri);
    // A private ECR image: import the repository so the training role gets pull access to it only.
    const [, account, region, name, tag, digest] = m;
    const repository = ecr.Repository.fromRepositoryAttributes(this, 'Repository', {
      repositoryName: name,
      repositoryArn: Stack.of(this).formatArn({ service: 'ecr', account, region, resource: 'repository', resourceName: name }),
    });
    this.imageRepository = repository;
    return TrainingImage.fromEcrRepository(repository, digest ?? tag ?? 'latest');
  }

  private backend(spec: ModelSpec, image: TrainingImage): TrainingBackend {
    const t = spec.training;
    if (t.backend === TrainingEngine.BATCH) {
      // Compute per model, so each model's vCPU cap is its own cost ceiling (min 0: idle costs nothing).
      const compute = new GpuBatchCompute(this, 'GpuCompute', {
        vpc: this.vpc,
        instanceTypes: [new ec2.InstanceType(t.instanceType)],
        maxvCpus: t.maxVcpus,
        spot: t.spot,
      });
      return TrainingBackend.batch({ compute, image, ...map.batchOptions(spec) });
    }
    return TrainingBackend.sageMaker({ image, ...map.sageMakerOptions(spec) });
  }

  private monitor(spec: ModelSpec, monitoring: MlopsMonitoring): void {
    const model = spec.name;
    const categories = spec.categories;
    monitoring.monitorTrainingPipeline({
      model, categories,
      stateMachine: this.trainingPipeline.stateMachine,
      scheduleInterval: map.scheduleInterval(spec),
      ...map.trainingJobBudget(spec),
      logGroup: this.trainingPipeline.logGroup,
    });
    if (spec.evaluation.threshold !== undefined) {
      monitoring.monitorModelQuality({ model, categories, metricName: spec.evaluation.metric, direction: spec.evaluation.direction, threshold: spec.evaluation.threshold });
    }
    if (this.batchInference) {
      monitoring.monitorPredictions({
        model, categories,
        ttl: Duration.seconds(spec.inference.ttlSeconds),
        batchInterval: map.scheduleInterval(spec),
        loaderFunction: this.batchInference.loaderFunction,
        batchInferenceStateMachine: this.batchInference.stateMachine,
      });
      monitoring.monitorDrift({ model, categories, trainingPipeline: this.trainingPipeline.stateMachine });
    }
    const slo = { p95: Duration.millis(spec.inference.slo.p95Ms), p99: Duration.millis(spec.inference.slo.p99Ms) };
    if (this.predictionService) {
      monitoring.monitorPredictionService({
        model, slo,
        targetGroup: this.predictionService.targetGroup,
        loadBalancer: this.predictionService.loadBalancer,
        service: this.predictionService.service,
        minRunningTasks: this.predictionService.capacity.minTasks,
      });
    }
    if (this.predictionApi) {
      monitoring.monitorPredictionApi({ model, slo, httpApi: this.predictionApi.httpApi, predictFunction: this.predictionApi.predictFunction });
    }
    const functionLogs = (fns: lambda.IFunction[]) => fns.flatMap((f) => (f instanceof lambda.Function ? [f.logGroup] : []));
    monitoring.addLogQueries({
      model,
      pipelineLogGroups: [this.trainingPipeline.logGroup, ...functionLogs(Object.values(this.trainingPipeline.functions))],
      servingLogGroups: [
        ...(this.predictionService ? [this.predictionService.logGroup] : []),
        ...(this.predictionApi ? functionLogs([this.predictionApi.predictFunction]) : []),
      ],
    });
  }
}
