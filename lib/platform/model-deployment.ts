import { Annotations, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BatchInference } from '../batch-inference/batch-inference';
import { FRONT_END_OVERHEAD_MS } from '../checks/model-latency-fits-slo';
import { ModelEndpoint } from '../model-endpoint/model-endpoint';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { ModelEndpointsConfig, latencyBudgetMs } from '../../lambda/shared/predict/invoke-config';
import { IDataLake } from '../data-lake/data-lake-base';
import { GpuBatchCompute } from '../gpu-batch-compute/gpu-batch-compute';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { MlopsMonitoring } from '../monitoring/mlops-monitoring';
import { PredictionApi } from '../prediction-api/prediction-api';
import { PredictionService } from '../prediction-service/prediction-service';
import { IPredictionStore } from '../prediction-store/prediction-store-base';
import { SCORING_TIME_LIMIT_MS } from '../spec/freshness';
import { InferenceMode, ModelHosting, ModelSpec, PromotionMode, ServingFrontEnd, TrainingEngine } from '../spec/model-spec';
import { FargateModelService } from '../model-service/fargate-model-service';
import { deployModelService } from './deploy-model-service';
import { TrainingBackend } from '../training-pipeline/training-backend';
import { TrainingImage } from '../training-pipeline/training-image';
import { importEcrImage } from '../training-pipeline/ecr-image-uri';
import { TrainingPipeline } from '../training-pipeline/training-pipeline';
import { OwnerNotifications, isEmailOwner } from './owner-notifications';
import * as map from './spec-mapping';
import { specPropProblems } from './validate-spec-props';
import { ModelSpecError } from '../spec/load-model-spec';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { DataIngestion } from '../data-ingestion/data-ingestion';
import { ingestionSourceFromSpec } from '../data-ingestion/ingestion-source';
import { AsyncInference } from '../async-inference/async-inference';
import { deployAsync } from './deploy-async';
import { ExperimentTracking, MlflowTrackingTarget } from '../experiment-tracking/experiment-tracking';
import { deployComposition } from './deploy-composition';
import { deployFeatures } from './deploy-features';
import { deployTrainOnArrival } from './deploy-train-on-arrival';

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
  /**
   * The platform's managed MLflow (ExperimentTracking on): training jobs get MLFLOW_TRACKING_URI
   * and MLFLOW_EXPERIMENT_NAME and may log to it (it mirrors every run in any case).
   * @default - none
   */
  readonly experimentTracking?: MlflowTrackingTarget;
}

/** Context key a synth passes the training code's revision with: `cdk synth -c mlops:codeRevision=$(git rev-parse HEAD)`. */
export const CODE_REVISION_CONTEXT = 'mlops:codeRevision';
/** Environment variable read at synth for the code revision when neither the spec nor the context gives one (e.g. set by CI). */
export const CODE_REVISION_ENV = 'MLOPS_CODE_REVISION';

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
  /** The model's real-time endpoint (`inference.mode: online` or `both`). */
  readonly modelEndpoint?: ModelEndpoint;
  /** The model's Fargate service (`inference.hosting: fargate`). */
  readonly modelService?: FargateModelService;
  /** The owner's topic (the spec's owner subscribed by e-mail), when the owner is an e-mail address. */
  readonly ownerTopic?: sns.ITopic;
  private readonly owner?: OwnerNotifications;
  /** ECR repository of the model's image (scoring may pull from it only). */
  private imageRepository?: ecr.IRepository;
  private readonly vpc?: ec2.IVpc;
  private readonly mlflowEnvironment?: Record<string, string>;
  /** Scheduled ingestion of the model's data (`data.ingestion`). */
  readonly dataIngestion?: DataIngestion;
  /** Async jobs answered by the real-time endpoint (`inference.async`). */
  readonly asyncInference?: AsyncInference;

  constructor(scope: Construct, id: string, props: ModelDeploymentProps) {
    super(scope, id);
    const { spec, dataLake, registry, predictionStore, monitoring } = props;
    this.spec = spec;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    // Specs from the loader were checked already; a spec built by hand gets the same problem list.
    const problems = specPropProblems(spec);
    if (problems.length) throw new ModelSpecError(problems);

    this.vpc = props.vpc;
    this.mlflowEnvironment = props.experimentTracking && ExperimentTracking.containerEnvironment(props.experimentTracking);
    if (isEmailOwner(spec.owner)) {
      this.owner = new OwnerNotifications(this, 'Owner', { model: spec.name, owner: spec.owner });
      this.ownerTopic = this.owner.topic;
    } else {
      Annotations.of(this).addInfo(`${spec.name}: owner ${JSON.stringify(spec.owner)} is not an e-mail address, so only the platform topic gets its notifications; write the owner's address in ${spec.file} to subscribe them`);
    }
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
        // The lateness the TTL rule allows a scheduled batch (lib/spec/freshness.ts).
        timeout: Duration.millis(SCORING_TIME_LIMIT_MS),
        logRetention,
        vpc: this.vpc,
      });
      this.scheduleScoring(spec, this.batchInference);
    }

    const features = deployFeatures(this, { spec, dataLake });
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
      ownerNotificationTopic: this.ownerTopic,
      description: spec.description, owner: spec.owner,
      codeRevision: spec.training.codeRevision ?? this.node.tryGetContext(CODE_REVISION_CONTEXT) ?? (process.env[CODE_REVISION_ENV] || undefined),
      logRetention,
      batchInference: this.batchInference,
      // Online-only: no batch inference loads a promoted version's predictions; it is served once its endpoint shifted.
      batchScoring: batch, servedByEndpoint: !batch,
      preTraining: features?.query,
    });
    if (props.experimentTracking) ExperimentTracking.grantLoggingOn(this.trainingPipeline.trainingRole, props.experimentTracking);
    features?.grantTraining(this.trainingPipeline);

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
    if (spec.inference.mode === InferenceMode.ONLINE || spec.inference.mode === InferenceMode.BOTH) {
      if (spec.inference.hosting === ModelHosting.FARGATE) this.modelService = deployModelService(this, { spec, image, dataLake, registry, predictionService: this.predictionService, logRetention });
      else this.modelEndpoint = this.realTime(spec, image, dataLake, registry, monitoring, logRetention);
    }
    this.asyncInference = deployAsync(this, { spec, registry, monitoring, logRetention, endpoint: this.modelEndpoint, predictionService: this.predictionService, predictionApi: this.predictionApi, owner: this.owner });
    this.monitor(spec, monitoring);
    this.dataIngestion = this.ingestion(spec, image, dataLake, monitoring, logRetention);
    if (this.dataIngestion?.taskDefinition) features?.grantWrite(this.dataIngestion.taskDefinition);
  }

  /**
   * `data.ingestion`: the model's ingestion job on Fargate in the platform VPC, on its cadence;
   * its own image runs on arm64, the training image (built for x86_64) on x86_64. A built-in
   * `source` runs in a Lambda function instead: no job, no VPC.
   */
  private ingestion(spec: ModelSpec, image: TrainingImage, dataLake: IDataLake, monitoring: MlopsMonitoring, logRetention: logs.RetentionDays): DataIngestion | undefined {
    const i = spec.data.ingestion;
    if (!i) return undefined;
    if ((!this.vpc && !i.source) || spec.data.external) {
      Annotations.of(this).addError(!this.vpc && !i.source
        ? `${spec.name}: data.ingestion needs the platform's VPC for its job: pass vpc to ModelDeployment (MlopsPlatform does), or remove data.ingestion from ${spec.file}`
        : `${spec.name}: data.ingestion writes into the datasets bucket, but data.location ${JSON.stringify(spec.data.location)} is outside it: remove data.location or data.ingestion in ${spec.file}`);
      return undefined;
    }
    const uri = i.image ?? image.imageUri;
    const ownRepository = i.image ? importEcrImage(this, 'IngestionRepository', i.image) : undefined;
    const ingestion = new DataIngestion(this, 'Ingestion', {
      model: spec.name, categories: spec.categories, dataLake,
      location: spec.data.location, format: spec.data.format, columns: spec.data.columns,
      interval: Duration.seconds(i.intervalSeconds), cron: i.cron, timeZone: i.timeZone,
      ...(i.source ? { source: ingestionSourceFromSpec(this, i.source) } : {
        // From its repository when it is ECR: CDK then grants the pull (and knows it does).
        image: ownRepository ? ecs.ContainerImage.fromEcrRepository(ownRepository.repository, ownRepository.tagOrDigest) : ecs.ContainerImage.fromRegistry(uri),
        command: i.command,
        cpuArchitecture: i.image ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
        vpc: this.vpc,
      }),
      alarmTopic: monitoring.topic, logRetention,
    });
    if (ingestion.taskDefinition && !i.image) this.imageRepository?.grantPull(ingestion.taskDefinition.obtainExecutionRole());
    this.owner?.notifyOn(ingestion.alarms);
    deployTrainOnArrival(this, spec, this.trainingPipeline, logRetention);
    return ingestion;
  }

  /**
   * Train weekly, score daily: `inference.schedule` starts the batch inference with each
   * category's served version. EventBridge Scheduler, because a rule's cron has no time zone.
   */
  private scheduleScoring(spec: ModelSpec, batchInference: BatchInference): void {
    const schedule = map.scoringSchedule(spec);
    if (!schedule) return;
    new scheduler.Schedule(this, 'ScoringSchedule', {
      schedule,
      description: `Batch scoring of ${spec.name} with the served versions (inference.schedule)`,
      target: new schedulerTargets.StepFunctionsStartExecution(batchInference.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ model: spec.name, executionDate: scheduler.ContextAttribute.scheduledTime }),
        retryAttempts: 3,
      }),
    });
  }

  /**
   * The model's serve mode on a SageMaker real-time endpoint, and the front end's `:invoke`
   * calling it within the latency budget (the p99 objective minus the front end's overhead).
   */
  private realTime(spec: ModelSpec, image: TrainingImage, dataLake: IDataLake, registry: IModelRegistry, monitoring: MlopsMonitoring, logRetention: logs.RetentionDays): ModelEndpoint {
    const e = spec.inference.endpoint;
    // No initial artifact: the model's first promotion creates the endpoint, later ones shift it (ModelEndpoint README).
    const endpoint = new ModelEndpoint(this, 'Endpoint', {
      modelName: spec.name, image, dataLake, registry,
      categories: spec.categories,
      alarmAction: new cloudwatchActions.SnsAction(monitoring.topic),
      logRetention,
      instanceType: e.instanceType,
      minInstanceCount: e.instanceCount,
      maxInstanceCount: e.maxInstanceCount,
      tpsPerInstance: e.tpsPerInstance,
      peakWindows: map.peakWindows(spec),
      dataCapturePercent: e.dataCapturePercent,
      vpc: this.vpc,
    });
    const composed = deployComposition(this, { spec, ownTarget: { sageMakerEndpoint: endpoint.endpointName }, dataLake, vpc: this.vpc });
    const config: ModelEndpointsConfig = {
      models: {
        [spec.name]: {
          mode: spec.inference.mode === InferenceMode.BOTH ? 'both' : 'online',
          ...(composed ? { composition: composed.config } : { sageMakerEndpoint: endpoint.endpointName }),
          budgetMs: latencyBudgetMs(spec.inference.slo.p99Ms, FRONT_END_OVERHEAD_MS[spec.inference.serving] ?? 0),
        },
      },
    };
    const json = JSON.stringify(config);
    if (this.predictionService) {
      this.predictionService.service.taskDefinition.defaultContainer!.addEnvironment(PREDICT_ENV.modelEndpoints, json);
      endpoint.grantInvoke(this.predictionService.service.taskDefinition.taskRole);
      composed?.grantInvoke(this.predictionService.service.taskDefinition.taskRole);
    }
    if (this.predictionApi) {
      this.predictionApi.predictFunction.addEnvironment(PREDICT_ENV.modelEndpoints, json);
      endpoint.grantInvoke(this.predictionApi.predictFunction);
      composed?.grantInvoke(this.predictionApi.predictFunction);
    }
    return endpoint;
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
    // A private ECR image: import the repository so the training role gets pull access to it only.
    const ecrImage = importEcrImage(this, 'Repository', uri);
    if (!ecrImage) return TrainingImage.fromRegistry(uri);
    this.imageRepository = ecrImage.repository;
    return TrainingImage.fromEcrRepository(ecrImage.repository, ecrImage.tagOrDigest);
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
      return TrainingBackend.batch({ compute, image, ...map.batchOptions(spec), environment: this.mlflowEnvironment });
    }
    return TrainingBackend.sageMaker({ image, ...map.sageMakerOptions(spec), vpc: this.vpc, environment: this.mlflowEnvironment });
  }

  private monitor(spec: ModelSpec, monitoring: MlopsMonitoring): void {
    const model = spec.name;
    const categories = spec.categories;
    const before = monitoring.alarms.length;
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
        ...map.predictionFreshness(spec),
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
    // Every alarm of this model also tells its owner.
    this.owner?.notifyOn(monitoring.alarms.slice(before).map((a) => a.alarm));
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
