import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CONTAINER, SERVING } from '../../lambda/shared/contract';
import { MODEL_SERVICE_ENV } from '../../lambda/shared/model-service/settings';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { IDataLake } from '../data-lake/data-lake-base';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { enableAccessLogs } from '../prediction-service/access-logs';
import { schedulePeaks } from '../prediction-service/peak-schedule';
import { PeakWindow, validatePeakWindows } from '../prediction-service/serving-props';
import { stagerSource } from '../training-pipeline/stager-source';
import { TrainingImage } from '../training-pipeline/training-image';
import { ModelServiceUpdateFunction } from './model-service-update';
import { serveStagerBootstrap, serveStagerSource } from './serve-stager';
import { validateFargateModelServiceProps } from './validate-fargate-model-service-props';

/** Props of {@link FargateModelService}. */
export interface FargateModelServiceProps {
  /** Model name (registry key), e.g. "demand-forecast". */
  readonly modelName: string;
  /** The model's image (linux/amd64, with python3): the training image also serves. */
  readonly image: TrainingImage;
  /**
   * The image's serve command, run with MLOPS_MODE=serve once the version's model is unpacked
   * into /opt/ml/model; it must answer the serving contract on port 8080.
   */
  readonly command: string[];
  /** The data lake: version artifacts are read from its artifacts bucket (`runs/<modelName>/`). */
  readonly dataLake: IDataLake;
  /** The registry: promotions of the model roll the service out, and it records which version the service serves. */
  readonly registry: IModelRegistry;
  /** Categories of the model (each promotion names one). */
  readonly categories: string[];
  /** VPC of the tasks and the internal load balancer (the platform's). */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the tasks and the load balancer.
   * @default - the VPC's isolated subnets, else its private subnets
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * Cluster of the service.
   * @default - a new cluster with Container Insights
   */
  readonly cluster?: ecs.ICluster;
  /**
   * CPU units of a task (1024 = 1 vCPU); Fargate has no GPUs.
   * @default 1024
   */
  readonly cpu?: number;
  /**
   * Memory of a task, within Fargate's range for `cpu`.
   * @default 2048
   */
  readonly memoryLimitMiB?: number;
  /**
   * Tasks outside peak windows (the scaling minimum); 2 spreads them over two Availability Zones.
   * @default 2
   */
  readonly minTaskCount?: number;
  /**
   * Most tasks autoscaling may run.
   * @default 4, or minTaskCount when that is higher
   */
  readonly maxTaskCount?: number;
  /**
   * Tasks during peak windows.
   * @default maxTaskCount
   */
  readonly peakTaskCount?: number;
  /**
   * Requests per second one task answers within the latency objective: target tracking holds
   * the load balancer's request count per task near it (x 60 per minute).
   * @default 100
   */
  readonly tpsPerTask?: number;
  /**
   * CPU utilization target of the CPU target tracking policy (percent).
   * @default 50
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Windows of known peak traffic: the minimum rises to `peakTaskCount` 15 minutes before each
   * (the prediction service's schedule, lib/prediction-service/peak-schedule.ts).
   * @default - no scheduled scaling
   */
  readonly peakWindows?: PeakWindow[];
  /**
   * Python interpreter in the image that runs the start wrapper.
   * @default 'python3'
   */
  readonly python?: string;
  /**
   * Bucket for the load balancer's access logs (SSE-S3: load balancers cannot write SSE-KMS).
   * @default - a new bucket, logs expire after 90 days
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Retention of the container and update function logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Event bus the registry publishes its Model Promoted events on.
   * @default - the account's default event bus (where ModelRegistry publishes unless given another)
   */
  readonly registryEventBus?: events.IEventBus;
}

/** Name of the model container (the update function pins the version in its environment). */
export const MODEL_CONTAINER = 'Model';
const LISTENER_PORT = 80;
const VOLUMES = { model: CONTAINER.modelDir, tmp: '/tmp' };

/**
 * A model's own image as an ECS Fargate service (CPU only, x86_64) behind an internal
 * Application Load Balancer that admits only the clients given to `allowFrom` (the prediction
 * front end). Each task stages the served version's artifact into /opt/ml/model at start
 * (container/model-service-entrypoint), then runs the image's serve command under the serving
 * contract. Read-only root filesystems, the deployment circuit breaker with rollback, target
 * tracking on request count per task and CPU, and the peak windows' scheduled minimum. A
 * promotion of the model rolls the service out to a task definition revision pinned to the
 * version, without a deploy (`updateFunction`).
 */
export class FargateModelService extends Construct {
  /** The Fargate service. */
  readonly service: ecs.FargateService;
  /** The task definition the stack deploys (no version pinned; see README). */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The internal load balancer. */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The target group of the tasks (health check GET /ping). */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The task count scaling. */
  readonly scaling: ecs.ScalableTaskCount;
  /** Base URL of the model service (the contract's paths go under it). */
  readonly url: string;
  /** Log group of the containers. */
  readonly logGroup: logs.ILogGroup;
  /** The function that rolls the service out to a promoted version. */
  readonly updateFunction: ModelServiceUpdateFunction;
  /** Tasks outside peak windows (the scaling minimum). */
  readonly minTaskCount: number;
  /** Most tasks autoscaling may run. */
  readonly maxTaskCount: number;
  private readonly loadBalancerSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: FargateModelServiceProps) {
    super(scope, id);
    const cpu = props.cpu ?? 1024;
    const memoryLimitMiB = props.memoryLimitMiB ?? 2048;
    const min = this.minTaskCount = props.minTaskCount ?? 2;
    const max = this.maxTaskCount = props.maxTaskCount ?? Math.max(4, min);
    const peak = props.peakTaskCount ?? max;
    const tpsPerTask = props.tpsPerTask ?? 100;
    const cpuTarget = props.targetCpuUtilizationPercent ?? 50;
    validateFargateModelServiceProps({ cpu, memoryLimitMiB, minTaskCount: min, maxTaskCount: max, peakTaskCount: peak, tpsPerTask, targetCpuUtilizationPercent: cpuTarget, command: props.command });
    validatePeakWindows(props.peakWindows);
    const python = props.python ?? 'python3';
    const subnets = props.subnets ?? { subnets: props.vpc.isolatedSubnets.length > 0 ? props.vpc.isolatedSubnets : props.vpc.privateSubnets };
    const cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu, memoryLimitMiB,
      // The training image is built for SageMaker's x86_64 instances.
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    for (const name of Object.keys(VOLUMES)) this.taskDefinition.addVolume({ name });
    const mounts = (readOnly: boolean) => Object.entries(VOLUMES).map(([sourceVolume, containerPath]) => ({ sourceVolume, containerPath, readOnly }));
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const logging = ecs.LogDrivers.awsLogs({ streamPrefix: 'model', logGroup: this.logGroup });
    const image = props.image.toContainerImage();

    // Fargate creates task volumes owned by root: this step opens them to the image's own
    // (non-root) user and exits; it runs nothing else and has no port.
    const permissions = this.taskDefinition.addContainer('Permissions', {
      image, essential: false, user: '0', readonlyRootFilesystem: true, logging,
      entryPoint: [python, '-c', `import os\nfor p in ${JSON.stringify(Object.values(VOLUMES))}: os.chmod(p, 0o1777)`],
    });
    permissions.addMountPoints(...mounts(false));
    const model = this.taskDefinition.addContainer(MODEL_CONTAINER, {
      image, essential: true, readonlyRootFilesystem: true, logging,
      entryPoint: serveStagerBootstrap(python),
      environment: {
        [CONTAINER.env.mode]: SERVING.mode,
        [CONTAINER.env.model]: props.modelName,
        [MODEL_SERVICE_ENV.command]: JSON.stringify(props.command),
        [MODEL_SERVICE_ENV.stager]: stagerSource(),
        [MODEL_SERVICE_ENV.serveStager]: serveStagerSource(),
        AWS_DEFAULT_REGION: Stack.of(this).region,
      },
      portMappings: [{ containerPort: SERVING.port, protocol: ecs.Protocol.TCP }],
      stopTimeout: Duration.seconds(20),
    });
    model.addMountPoints(...mounts(false));
    model.addContainerDependencies({ container: permissions, condition: ecs.ContainerDependencyCondition.SUCCESS });
    props.dataLake.grantReadArtifacts(this.taskDefinition.taskRole, `runs/${props.modelName}/`);
    props.image.grantPull(this.taskDefinition.obtainExecutionRole());

    const serviceSg = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', { vpc: props.vpc, description: `model service tasks of ${props.modelName}`, allowAllOutbound: true });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster, taskDefinition: this.taskDefinition,
      // No desired count: CloudFormation keeps the running count on updates (see PredictionService).
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      // Time to download and unpack the version's artifact before the load balancer judges a task.
      healthCheckGracePeriod: Duration.minutes(2),
      vpcSubnets: subnets,
      securityGroups: [serviceSg],
      assignPublicIp: false,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
    });

    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', { vpc: props.vpc, description: `model service load balancer of ${props.modelName}`, allowAllOutbound: false });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc, internetFacing: false, vpcSubnets: subnets, securityGroup: this.loadBalancerSecurityGroup,
      dropInvalidHeaderFields: true, idleTimeout: Duration.seconds(60),
    });
    const accessLogs = props.accessLogsBucket ?? new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableAccessLogs(this.loadBalancer, accessLogs, `model-service/${props.modelName}`);
    const listener = this.loadBalancer.addListener('Http', { port: LISTENER_PORT, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
    this.targetGroup = listener.addTargets('Tasks', {
      port: SERVING.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service.loadBalancerTarget({ containerName: MODEL_CONTAINER, containerPort: SERVING.port })],
      healthCheck: { path: SERVING.pingPath, interval: Duration.seconds(10), timeout: Duration.seconds(3), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
      deregistrationDelay: Duration.seconds(15),
    });
    this.url = `http://${this.loadBalancer.loadBalancerDnsName}`;

    this.scaling = this.service.autoScaleTaskCount({ minCapacity: min, maxCapacity: max });
    this.scaling.scaleOnRequestCount('RequestCountPerTarget', {
      // ALBRequestCountPerTarget is a per-minute sum.
      requestsPerTarget: tpsPerTask * 60,
      targetGroup: this.targetGroup,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
    this.scaling.scaleOnCpuUtilization('CpuUtilization', { targetUtilizationPercent: cpuTarget, scaleInCooldown: Duration.minutes(5), scaleOutCooldown: Duration.minutes(1) });
    schedulePeaks(this.scaling, props.peakWindows, { peak: { minCapacity: peak }, normal: { minCapacity: min } });

    this.updateFunction = new ModelServiceUpdateFunction(this, 'Update', {
      settings: { model: props.modelName, categories: props.categories, cluster: cluster.clusterName, serviceName: this.service.serviceName, containerName: MODEL_CONTAINER },
      service: this.service, taskDefinition: this.taskDefinition,
      registry: props.registry, registryEventBus: props.registryEventBus, logRetention: props.logRetention,
    });

    acknowledgeNag(this, F.plainTaskEnvironment(), F.actionsWithoutResourceLevelPermissions(), F.kmsDataKeys(), F.kmsReEncrypt(),
      F.objectsUnder(this, props.dataLake.artifactsBucket.bucketArn, `runs/${props.modelName}/`),
      ...(props.accessLogsBucket === undefined ? [F.accessLogBucket()] : []));
  }

  /** Lets a client (the prediction front end's service) call the model service through its load balancer. */
  allowFrom(client: ec2.IConnectable): void {
    this.loadBalancerSecurityGroup.connections.allowFrom(client, ec2.Port.tcp(LISTENER_PORT), 'prediction front end');
  }
}
