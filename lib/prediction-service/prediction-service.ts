import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/shared/env';
import { PREDICT_DEFAULTS, PREDICT_ENV, cacheMaxBytesFor } from '../../lambda/shared/predict/constants';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { IPredictionService, ImportedPredictionService, PredictionServiceAttributes, PredictionServiceBase } from './prediction-service-base';
import { IPredictionStore } from '../prediction-store/prediction-store-base';
import { enableAccessLogs } from './access-logs';
import { DerivedCapacity, deriveCapacity, validateTraffic } from './capacity';
import { schedulePeaks } from './peak-schedule';
import { predictionServerImage } from './server-image';
import { PeakWindow, ServedModelProps, servingConfigJson, validatePeakWindows } from './serving-props';
import { acknowledgeServiceFindings, acknowledgeServiceGuardFindings } from './service-nag';
import { AccessMode } from '../spec/model-spec';
import { ServiceAccessProps, privateLinkEndpoint, validateAccess } from './service-access';
import { serviceVpc } from './service-vpc';
import { ServiceTransport } from './service-authentication';
import { acknowledgeOperationalLogRetention } from '../common/guard';
import { MlopsLogGroup } from '../common/log-key';

/** Props of {@link PredictionService}. */
export interface PredictionServiceProps {
  /** Where predictions are read. */
  readonly predictionStore: IPredictionStore;
  /** The registry, to resolve production versions at run time (promote/rollback need no redeploy). */
  readonly registry: IModelRegistry;
  /** The models served, with their rules. */
  readonly models: ServedModelProps[];
  /**
   * Lowest sustained requests per second.
   * @default 100
   */
  readonly minTps?: number;
  /**
   * Average requests per second.
   * @default 300
   */
  readonly avgTps?: number;
  /**
   * Highest requests per second (declared peak).
   * @default 1000
   */
  readonly maxTps?: number;
  /**
   * Requests per second one task is planned for; the request-count target tracking holds each
   * task near it. The server answers ~1000 req/s at ~35% of one core in the benchmark
   * (bench/README.md), so a 0.5 vCPU task at 300 req/s runs around 20-25% CPU: headroom for a
   * spike during the 1-3 minutes target tracking needs to add tasks.
   * @default 300
   */
  readonly tpsPerTask?: number;
  /**
   * Windows of known peak traffic: the service's minimum is the peak task count from 15 minutes
   * before each window until it ends (start + duration, across midnight and the week's end).
   * @default - none
   */
  readonly peakWindows?: PeakWindow[];
  /**
   * CPU units of a task (256 = 0.25 vCPU).
   * @default 512
   */
  readonly cpu?: number;
  /**
   * Memory of a task. A quarter of it is the answer cache's byte cap (`MLOPS_CACHE_MAX_BYTES`).
   * @default 1024
   */
  readonly memoryLimitMiB?: number;
  /**
   * CPU utilization target of the CPU target tracking policy (percent).
   * @default 50
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Weight of Fargate Spot against On-Demand Fargate for tasks above the minimum (the minimum
   * always runs On-Demand). 0 disables Spot; 1 puts half of the extra tasks on Spot.
   * @default 0
   */
  readonly spotWeight?: number;
  /**
   * VPC of the load balancer and the tasks.
   * @default - a new 2-AZ VPC without NAT gateways: isolated subnets for tasks, gateway
   * endpoints for DynamoDB and S3, interface endpoints for ECR and CloudWatch Logs, flow logs
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of the tasks.
   * @default - the VPC's isolated subnets, else its private subnets
   */
  readonly taskSubnets?: ec2.SubnetSelection;
  /**
   * How clients reach the service: from the VPC and given networks, through PrivateLink from
   * other accounts, or from the internet with client certificates (README: "Reaching a
   * prediction endpoint").
   * @default - an internal load balancer that admits the VPC's CIDR only
   */
  readonly access?: ServiceAccessProps;
  /**
   * Certificate for an HTTPS listener on 443 (HTTP on 80 then redirects to it, except on an
   * internet-facing endpoint, which listens on 443 only).
   * @default - plaintext HTTP on port 80 of an internal load balancer (`access.transport`
   * `ServiceTransport.PLAINTEXT_INTERNAL`)
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Deletion protection of the load balancer: a stack update or deletion cannot remove it (and
   * with it the endpoint clients call) until it is turned off.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Bucket for the load balancer's access logs (SSE-S3: load balancers cannot write SSE-KMS).
   * @default - a new bucket, logs expire after 90 days
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Retention of the container logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

const CONTAINER_PORT = PREDICT_DEFAULTS.port;

/**
 * The default, high-traffic prediction front end: an Application Load Balancer in front of a
 * Fargate (arm64) service running the prediction server (server/Dockerfile) on the shared
 * predict core. Non-root, read-only root filesystem, health checks, deployment circuit
 * breaker with rollback, optional Fargate Spot share, task counts derived from the declared
 * traffic with target tracking on request count per target and CPU, and scheduled scale-out
 * before declared peak windows.
 */
export class PredictionService extends PredictionServiceBase {
  /** Imports a prediction service defined elsewhere (another stack or account), by its load balancer and target group. */
  static fromPredictionServiceAttributes(scope: Construct, id: string, attrs: PredictionServiceAttributes): IPredictionService {
    return new ImportedPredictionService(scope, id, attrs);
  }

  /** The Fargate service. */
  public readonly service: ecs.FargateService;
  /** The cluster of the service (Container Insights enabled). */
  public readonly cluster: ecs.Cluster;
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The target group of the tasks. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The task count scaling of the service. */
  public readonly scaling: ecs.ScalableTaskCount;
  /** Task counts derived from the declared traffic. */
  public readonly capacity: DerivedCapacity;
  /** Base URL of the service (http or https per the listener). */
  public readonly url: string;
  /** The VPC of the service. */
  public readonly vpc: ec2.IVpc;
  /** Log group of the server containers (structured request and error lines). */
  public readonly logGroup: logs.ILogGroup;
  /** The client path (`access.mode`). */
  public readonly accessMode: AccessMode;
  /** How the listener carries requests (`access.transport`). */
  public readonly transport: ServiceTransport;
  /** The endpoint service other accounts connect to (access mode `PRIVATE_LINK` only). */
  public readonly endpointService?: ec2.VpcEndpointService;

  constructor(scope: Construct, id: string, props: PredictionServiceProps) {
    super(scope, id);
    const traffic = {
      minTps: props.minTps ?? 100,
      avgTps: props.avgTps ?? 300,
      maxTps: props.maxTps ?? 1000,
      tpsPerTask: props.tpsPerTask ?? 300,
    };
    validateTraffic(traffic);
    validatePeakWindows(props.peakWindows);
    const cpuTarget = props.targetCpuUtilizationPercent ?? 50;
    if (!Token.isUnresolved(cpuTarget) && (cpuTarget < 10 || cpuTarget > 90)) {
      throw new Error(`targetCpuUtilizationPercent must be between 10 and 90, but ${cpuTarget} was provided`);
    }
    const spotWeight = props.spotWeight ?? 0;
    if (!Token.isUnresolved(spotWeight) && (!Number.isInteger(spotWeight) || spotWeight < 0 || spotWeight > 10)) {
      throw new Error(`spotWeight must be a whole number between 0 and 10, but ${spotWeight} was provided`);
    }
    const servingConfig = servingConfigJson(props.models);
    this.capacity = deriveCapacity(traffic);
    ({ mode: this.accessMode, transport: this.transport } = validateAccess(props.access ?? {}, props.certificate));
    const internetFacing = this.accessMode === AccessMode.INTERNET;

    this.vpc = props.vpc ?? serviceVpc(this, internetFacing, props.logRetention);
    if (internetFacing && props.vpc && this.vpc.publicSubnets.length === 0) {
      throw new Error(`access.mode ${this.accessMode} needs public subnets in vpc for the load balancer, but the given vpc has none: add a public subnet group, or use AccessMode.VPC or AccessMode.PRIVATE_LINK`);
    }
    const taskSubnets = props.taskSubnets ?? { subnets: this.vpc.isolatedSubnets.length > 0 ? this.vpc.isolatedSubnets : this.vpc.privateSubnets };

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      enableFargateCapacityProviders: true,
    });

    const memoryLimitMiB = props.memoryLimitMiB ?? PREDICT_DEFAULTS.memoryMiB;
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 512,
      memoryLimitMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const logGroup = this.logGroup = new MlopsLogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeOperationalLogRetention(logGroup);
    taskDefinition.addContainer('Server', {
      image: predictionServerImage(),
      essential: true,
      readonlyRootFilesystem: true,
      user: '1000:1000',
      // A hard limit per container (Control Tower CT.ECS.PR.7): the task's memory, as it is the only container.
      memoryLimitMiB,
      portMappings: [{ containerPort: CONTAINER_PORT, protocol: ecs.Protocol.TCP }],
      environment: {
        [ENV.predictionsTable]: props.predictionStore.tableName,
        [ENV.registryTable]: props.registry.tableName,
        [PREDICT_ENV.servingConfig]: servingConfig,
        [PREDICT_ENV.port]: String(CONTAINER_PORT),
        // An unresolved memory leaves the cap to the server's default (a quarter of 1 GiB).
        ...(Token.isUnresolved(memoryLimitMiB) ? {} : { [PREDICT_ENV.cacheMaxBytes]: String(cacheMaxBytesFor(memoryLimitMiB)) }),
        AWS_REGION: Stack.of(this).region,
      },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'predict', logGroup }),
      healthCheck: {
        command: ['CMD', 'node', '/app/healthcheck.js'],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(3),
        retries: 3,
        startPeriod: Duration.seconds(10),
      },
      stopTimeout: Duration.seconds(20),
    });
    props.predictionStore.grantReadPredictions(taskDefinition.taskRole);
    props.registry.grantRead(taskDefinition.taskRole);

    const serviceSg = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', { vpc: this.vpc, description: 'prediction service tasks', allowAllOutbound: true });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition,
      // No desired count: CloudFormation then keeps the running count on every update (a deploy
      // during a peak would otherwise drop the service back to a fixed count, aws-cdk issue
      // 13130); a new service starts with one task and the scalable target's minimum raises it.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: taskSubnets,
      securityGroups: [serviceSg],
      assignPublicIp: false,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      capacityProviderStrategies: spotWeight > 0
        ? [
          { capacityProvider: 'FARGATE', base: this.capacity.minTasks, weight: 1 },
          { capacityProvider: 'FARGATE_SPOT', weight: spotWeight },
        ]
        : [{ capacityProvider: 'FARGATE', base: this.capacity.minTasks, weight: 1 }],
    });

    const albSg = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', { vpc: this.vpc, description: 'prediction service load balancer', allowAllOutbound: false });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing,
      vpcSubnets: internetFacing ? { subnetType: ec2.SubnetType.PUBLIC } : taskSubnets,
      securityGroup: albSg,
      dropInvalidHeaderFields: true,
      idleTimeout: Duration.seconds(60),
      deletionProtection: props.deletionProtection ?? true,
    });
    const accessLogs = props.accessLogsBucket ?? new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableAccessLogs(this.loadBalancer, accessLogs, 'prediction-service');

    const port = props.certificate ? 443 : 80;
    // An internet-facing endpoint exposes its HTTPS port only; elsewhere HTTP on 80 redirects to it.
    const redirect = props.certificate !== undefined && !internetFacing;
    let listener: elbv2.ApplicationListener;
    if (props.certificate) {
      const trustStore = props.access?.trustStore;
      listener = this.loadBalancer.addListener('Https', {
        port,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [props.certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        mutualAuthentication: trustStore ? { mutualAuthenticationMode: elbv2.MutualAuthenticationMode.VERIFY, trustStore } : undefined,
        open: false,
      });
      if (redirect) this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open: false });
    } else {
      listener = this.loadBalancer.addListener('Http', { port, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
    }
    const admit = (peer: ec2.IPeer, what: string) => {
      albSg.addIngressRule(peer, ec2.Port.tcp(port), `${props.certificate ? 'HTTPS' : 'HTTP'} from ${what}`);
      if (redirect) albSg.addIngressRule(peer, ec2.Port.tcp(80), `HTTP from ${what} (redirected to HTTPS)`);
    };
    if (this.accessMode === AccessMode.INTERNET) {
      admit(ec2.Peer.anyIpv4(), props.access?.trustStore ? 'internet clients with a certificate from the trust store' : `internet clients the listener authenticates (${props.access?.authentication?.kind})`);
    } else if (this.accessMode === AccessMode.PRIVATE_LINK) {
      this.endpointService = privateLinkEndpoint(this, {
        alb: this.loadBalancer, listener, port, subnets: taskSubnets, allowedPrincipals: props.access?.allowedPrincipals ?? [], deletionProtection: props.deletionProtection ?? true,
      });
    } else {
      admit(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), 'the VPC');
      (props.access?.clientPeers ?? []).forEach((peer) => admit(peer, `client network ${peer.uniqueId}`));
    }
    const authentication = props.access?.authentication;
    // The load balancer fetches the identity provider's keys and tokens over HTTPS.
    if (authentication) albSg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), `HTTPS to the identity provider (${authentication.kind})`);
    // Same construct id and scope as listener.addTargets('Tasks'), so the target group keeps its logical id.
    this.targetGroup = new elbv2.ApplicationTargetGroup(listener, 'TasksGroup', {
      vpc: this.vpc,
      port: CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service.loadBalancerTarget({ containerName: 'Server', containerPort: CONTAINER_PORT })],
      healthCheck: {
        path: '/health',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(3),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      // Requests take milliseconds: a short drain keeps deployments and scale-in fast.
      deregistrationDelay: Duration.seconds(15),
    });
    const forward = elbv2.ListenerAction.forward([this.targetGroup]);
    listener.addAction('Tasks', { action: authentication ? authentication._action(forward) : forward });
    this.url = `${props.certificate ? 'https' : 'http'}://${this.loadBalancer.loadBalancerDnsName}`;

    this.scaling = this.service.autoScaleTaskCount({ minCapacity: this.capacity.minTasks, maxCapacity: this.capacity.maxTasks });
    this.scaling.scaleOnRequestCount('RequestCountPerTarget', {
      // ALBRequestCountPerTarget is a per-minute sum.
      requestsPerTarget: traffic.tpsPerTask * 60,
      targetGroup: this.targetGroup,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
    this.scaling.scaleOnCpuUtilization('CpuUtilization', {
      targetUtilizationPercent: cpuTarget,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
    schedulePeaks(this.scaling, props.peakWindows, {
      peak: { minCapacity: this.capacity.peakTasks },
      normal: { minCapacity: this.capacity.minTasks },
    });

    acknowledgeServiceGuardFindings({ transport: this.transport, listener, createdLogsBucket: props.accessLogsBucket === undefined ? accessLogs : undefined });
    acknowledgeServiceFindings(this, { accessMode: this.accessMode, createdLogsBucket: props.accessLogsBucket === undefined, createdVpc: props.vpc === undefined, registryTable: props.registry.table });
  }
}
