import { Aspects } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PARAMETERS } from '../../lambda/shared/contract';
import { REGISTRY_SCHEMA } from '../../lambda/shared/registry/schema';
import { assertPatternChecks } from '../checks/run-pattern-checks';
import { PolicyPackAcknowledgements } from '../common/policy-pack-acks';
import { DataLake } from '../data-lake/data-lake';
import { IDataLake } from '../data-lake/data-lake-base';
import { ModelRegistry } from '../model-registry/model-registry';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { AlarmSeverity } from '../monitoring/alarm-declaration';
import { MlopsMonitoring } from '../monitoring/mlops-monitoring';
import { PredictionStore } from '../prediction-store/prediction-store';
import { ModelSpec, TrainingEngine } from '../spec/model-spec';
import { ModelDeployment } from './model-deployment';
import { ExperimentTracking, ExperimentTrackingOptions } from '../experiment-tracking';
import { needsFeatureStoreRuntime, needsNetwork, publishModel, publishParameter } from './model-outputs';
import { NetworkProvisioning, PlatformNetwork } from './platform-network';
import { PLATFORM_PARAMETERS as P } from './platform-parameters';
import { PlatformReference } from './platform-imports';

/** Props of {@link MlopsPlatform}. */
export interface MlopsPlatformProps {
  /**
   * Validated model specs (`loadModelSpecs('models')`); more can be added with `addModel`.
   * @default - no model yet
   */
  readonly models?: ModelSpec[];
  /**
   * Name under which the platform publishes its SSM parameters (`/cdk-mlops/<name>/...`);
   * the `mlops` CLI selects a platform by it (`--platform`, `MLOPS_PLATFORM`).
   * @default 'default'
   */
  readonly platformName?: string;
  /**
   * E-mail addresses subscribed to the alarm topic.
   * @default - none (subscribe later, e.g. a chat integration)
   */
  readonly alarmEmails?: string[];
  /**
   * Retention of every log group the platform creates.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * An existing VPC for every model's Batch compute and prediction service. It needs isolated
   * (or private) subnets and the endpoints listed in the README, or a NAT gateway; public
   * subnets too for an internet-facing model. Published like the platform network, so model
   * stacks (`MlopsPlatformStacks`) import it.
   * @default - one platform network (`PlatformNetwork`), as `network` says
   */
  readonly vpc?: ec2.IVpc;
  /**
   * When the platform network is created and with which endpoints (without `vpc`).
   * `ON_DEMAND` saves about $44-88 a month while no model needs the network, at the price that
   * the first model that does (and the first Batch model) changes the platform template.
   * @default NetworkProvisioning.UP_FRONT - created with the platform, every endpoint a model may need: adding a model changes no other template
   */
  readonly network?: NetworkProvisioning;
  /**
   * An existing data lake (e.g. `DataLake.fromDataLakeAttributes`).
   * @default - a new DataLake (construct id `DataLake`)
   */
  readonly dataLake?: IDataLake;
  /**
   * An existing model registry (e.g. `ModelRegistry.fromRegistryAttributes`).
   * @default - a new ModelRegistry (construct id `Registry`) encrypted with the data lake's key
   */
  readonly registry?: IModelRegistry;
  /**
   * A SageMaker managed MLflow tracking server that mirrors every finished run (params, final
   * metrics, metric series, tags), for teams that also want MLflow's UI. Billed per hour while it
   * exists (see the README's "Managed MLflow" section).
   * @default - none: the registry and `mlops ui` track experiments
   */
  readonly experimentTracking?: ExperimentTrackingOptions;
}

/**
 * The whole platform in one `new`: a DataLake, a ModelRegistry, a predictions store, monitoring,
 * and for every model spec its own training pipeline, batch inference and serving front end
 * (models never share a serving service). Publishes what clients need in SSM parameters under
 * `/cdk-mlops/<platformName>/` and as stack outputs. Specs pass the MLOps pattern checks first.
 */
export class MlopsPlatform extends Construct {
  readonly platformName: string;
  readonly dataLake: IDataLake;
  readonly registry: IModelRegistry;
  readonly predictionStore: PredictionStore;
  readonly monitoring: MlopsMonitoring;
  /** The managed MLflow mirror, when `experimentTracking` was given. */
  readonly experimentTracking?: ExperimentTracking;
  private readonly deployments = new Map<string, ModelDeployment>();
  /** The models given in the props, checked together with each model as it is added. */
  private readonly declaredModels: readonly ModelSpec[];
  private readonly logRetention: logs.RetentionDays;
  private readonly givenVpc?: ec2.IVpc;
  private network?: PlatformNetwork;
  private readonly networkProvisioning: NetworkProvisioning;

  constructor(scope: Construct, id: string, props: MlopsPlatformProps = {}) {
    super(scope, id);
    Aspects.of(this).add(new PolicyPackAcknowledgements());
    this.platformName = props.platformName ?? PARAMETERS.defaultPlatform;
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(this.platformName)) {
      throw new Error(`platformName must be 1-40 lowercase letters, digits or hyphens, but ${JSON.stringify(this.platformName)} was provided`);
    }
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.givenVpc = props.vpc;
    this.networkProvisioning = props.network ?? NetworkProvisioning.UP_FRONT;
    this.dataLake = props.dataLake ?? new DataLake(this, 'DataLake');
    // One customer key for the platform's data keeps key policies and grants in one place.
    const encryptionKey = this.dataLake.encryptionKey;
    this.registry = props.registry ?? new ModelRegistry(this, 'Registry', { encryptionKey });
    this.predictionStore = new PredictionStore(this, 'Predictions', { encryptionKey });
    this.monitoring = new MlopsMonitoring(this, 'Monitoring', {
      emailSubscriptions: props.alarmEmails,
      logRetention: this.logRetention,
      drift: { dataLake: this.dataLake, registry: this.registry },
    });
    this.monitoring.monitorTable({
      table: this.registry.table, label: 'registry', systemErrorSeverity: AlarmSeverity.CRITICAL,
      globalSecondaryIndexNames: REGISTRY_SCHEMA.indexes.map((i) => i.name),
    });
    this.monitoring.monitorTable({ table: this.predictionStore.table, label: 'predictions', systemErrorSeverity: AlarmSeverity.CRITICAL });

    this.publish('RegistryTable', PARAMETERS.registryTable(this.platformName), this.registry.tableName, 'Model registry table');
    this.publish('PredictionsTable', PARAMETERS.predictionsTable(this.platformName), this.predictionStore.tableName, 'Predictions table');
    this.publish('DatasetsBucket', PARAMETERS.datasetsBucket(this.platformName), this.dataLake.datasetsBucket.bucketName, 'Datasets bucket');
    this.publish('ArtifactsBucket', PARAMETERS.artifactsBucket(this.platformName), this.dataLake.artifactsBucket.bucketName, 'Artifacts bucket');
    this.publish('PredictionsBucket', PARAMETERS.predictionsBucket(this.platformName), this.dataLake.predictionsBucket.bucketName, 'Predictions archive bucket');
    // What model stacks import (PlatformImports), read at deploy time: no export locks this stack.
    this.publish('DataKeyArn', P.dataLakeKeyArn(this.platformName), encryptionKey.keyArn, 'Data lake key');
    if (this.registry.encryptionKey) {
      this.publish('RegistryKeyArn', P.registryKeyArn(this.platformName), this.registry.encryptionKey.keyArn, 'Registry key');
    }
    this.publish('PredictionsKeyArn', P.predictionsKeyArn(this.platformName), this.predictionStore.encryptionKey.keyArn, 'Predictions key');
    this.publish('AlarmTopicArn', P.alarmTopicArn(this.platformName), this.monitoring.topic.topicArn, 'Alarm topic');

    if (props.experimentTracking) {
      this.experimentTracking = new ExperimentTracking(this, 'ExperimentTracking', {
        ...props.experimentTracking, dataLake: this.dataLake, registry: this.registry, platformName: this.platformName, logRetention: this.logRetention,
      });
      this.publish('MlflowTrackingServerArn', PARAMETERS.mlflowTrackingServer(this.platformName), this.experimentTracking.trackingServerArn, 'MLflow tracking server (MLFLOW_TRACKING_URI)');
    }

    if (this.givenVpc) this.publishNetwork(this.givenVpc);
    else if (this.networkProvisioning === NetworkProvisioning.UP_FRONT) this.vpc();

    this.declaredModels = props.models ?? [];
    for (const spec of this.declaredModels) this.addModel(spec);
  }

  /** The models deployed so far. */
  get models(): ModelDeployment[] {
    return [...this.deployments.values()];
  }

  /** The deployment of a model, if it exists. */
  model(name: string): ModelDeployment | undefined {
    return this.deployments.get(name);
  }

  /**
   * Adds one more model (training, batch inference, serving, alarms) without touching the others.
   * The pattern checks run over all models so far, so cross-model rules (one model per service)
   * see the newcomer.
   */
  addModel(spec: ModelSpec): ModelDeployment {
    if (this.deployments.has(spec.name)) {
      throw new Error(`model ${JSON.stringify(spec.name)} (${spec.file}) is already part of the platform (from ${this.deployments.get(spec.name)!.spec.file}): model names must be unique`);
    }
    // The models declared up front count too: a composition may name a model added after it.
    const known = new Map([...this.declaredModels, ...this.models.map((d) => d.spec), spec].map((s) => [s.name, s]));
    const findings = assertPatternChecks([...known.values()]).filter((f) => f.model === spec.name);
    const deployment = new ModelDeployment(this, `Model-${spec.name}`, {
      spec,
      dataLake: this.dataLake,
      registry: this.registry,
      predictionStore: this.predictionStore,
      monitoring: this.monitoring,
      logRetention: this.logRetention,
      // SageMaker jobs and endpoints run in the platform VPC whenever there is one.
      experimentTracking: this.experimentTracking?.target(spec.name),
      vpc: needsNetwork(spec) ? this.vpc(spec.training.backend === TrainingEngine.BATCH, needsFeatureStoreRuntime(spec)) : this.givenVpc ?? this.network?.vpc,
    });
    this.deployments.set(spec.name, deployment);
    publishModel(this, this.platformName, deployment, findings);
    return deployment;
  }

  /**
   * The platform's one VPC: the `vpc` prop, else the `PlatformNetwork` (created with the
   * platform, or on first call with `NetworkProvisioning.ON_DEMAND`), published for model
   * stacks in SSM parameters.
   * @param batchCompute whether a model trains on Batch (`ON_DEMAND`: adds the ECS agent's endpoints once)
   * @param featureStoreRuntime whether a model's ingestion job writes to its feature groups (adds the Feature Store runtime endpoint once; not with a given `vpc`, which must reach it itself)
   */
  vpc(batchCompute: boolean = false, featureStoreRuntime: boolean = false): ec2.IVpc {
    if (this.givenVpc) return this.givenVpc;
    if (!this.network) {
      const upFront = this.networkProvisioning === NetworkProvisioning.UP_FRONT;
      const { datasetsBucket, artifactsBucket, predictionsBucket } = this.dataLake;
      this.network = new PlatformNetwork(this, 'Network', { logRetention: this.logRetention, batchEndpoints: upFront, buckets: [datasetsBucket, artifactsBucket, predictionsBucket] });
      this.publishNetwork(this.network.vpc);
    }
    if (batchCompute) this.network.addBatchEndpoints();
    if (featureStoreRuntime) this.network.addFeatureStoreRuntimeEndpoint();
    return this.network.vpc;
  }

  /** What a model stack needs to import this platform's shared resources (see `MlopsModelStack`). */
  get reference(): PlatformReference {
    const vpc = this.givenVpc ?? this.network?.vpc;
    return {
      platformName: this.platformName,
      networkAvailabilityZones: vpc ? taskSubnets(vpc).length : 0,
      networkPublicSubnets: vpc ? vpc.publicSubnets.length : 0,
      registryEncrypted: this.registry.encryptionKey !== undefined,
      experimentTracking: this.experimentTracking !== undefined,
    };
  }

  private publishNetwork(vpc: ec2.IVpc): void {
    const name = this.platformName;
    this.publish('VpcId', P.vpcId(name), vpc.vpcId, 'Platform VPC');
    this.publish('VpcCidr', P.vpcCidr(name), vpc.vpcCidrBlock, 'Platform VPC CIDR');
    taskSubnets(vpc).forEach((subnet, i) => {
      this.publish(`IsolatedSubnet${i}`, P.isolatedSubnet(name, i), subnet.subnetId, `Subnet ${i} of the platform VPC for instances and tasks`);
    });
    // Only an internet-facing prediction endpoint's load balancer uses these.
    vpc.publicSubnets.forEach((subnet, i) => {
      this.publish(`PublicSubnet${i}`, P.publicSubnet(name, i), subnet.subnetId, `Public subnet ${i} of the platform VPC for internet-facing load balancers`);
    });
  }

  private publish(id: string, parameterName: string, value: string, description: string): void {
    publishParameter(this, id, parameterName, value, description);
  }
}

/** Batch instances and Fargate tasks run in the isolated subnets (a given VPC's private ones if it has none). */
function taskSubnets(vpc: ec2.IVpc): ec2.ISubnet[] {
  return vpc.isolatedSubnets.length > 0 ? vpc.isolatedSubnets : vpc.privateSubnets;
}
