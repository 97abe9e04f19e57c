import { Annotations, CfnOutput } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { PARAMETERS } from '../../lambda/shared/contract';
import { REGISTRY_SCHEMA } from '../../lambda/shared/registry/schema';
import { assertPatternChecks, formatFinding } from '../checks/run-pattern-checks';
import { CheckLevel } from '../checks/pattern-check';
import { DataLake } from '../data-lake/data-lake';
import { ModelRegistry } from '../model-registry/model-registry';
import { AlarmSeverity } from '../monitoring/alarm-declaration';
import { MlopsMonitoring } from '../monitoring/mlops-monitoring';
import { PredictionStore } from '../prediction-store/prediction-store';
import { ModelSpec } from '../spec/model-spec';
import { ModelDeployment } from './model-deployment';

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
}

/**
 * The whole platform in one `new`: a DataLake, a ModelRegistry, a predictions store, monitoring,
 * and for every model spec its own training pipeline, batch inference and serving front end
 * (models never share a serving service). Publishes what clients need in SSM parameters under
 * `/cdk-mlops/<platformName>/` and as stack outputs. Specs pass the MLOps pattern checks first.
 */
export class MlopsPlatform extends Construct {
  readonly platformName: string;
  readonly dataLake: DataLake;
  readonly registry: ModelRegistry;
  readonly predictionStore: PredictionStore;
  readonly monitoring: MlopsMonitoring;
  private readonly deployments = new Map<string, ModelDeployment>();
  private readonly logRetention: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: MlopsPlatformProps = {}) {
    super(scope, id);
    this.platformName = props.platformName ?? PARAMETERS.defaultPlatform;
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(this.platformName)) {
      throw new Error(`platformName must be 1-40 lowercase letters, digits or hyphens, but ${JSON.stringify(this.platformName)} was provided`);
    }
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.dataLake = new DataLake(this, 'DataLake');
    // One customer key for the platform's data keeps key policies and grants in one place.
    const encryptionKey = this.dataLake.encryptionKey;
    this.registry = new ModelRegistry(this, 'Registry', { encryptionKey });
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

    for (const spec of props.models ?? []) this.addModel(spec);
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
    const findings = assertPatternChecks([...this.models.map((d) => d.spec), spec]).filter((f) => f.model === spec.name);
    const deployment = new ModelDeployment(this, `Model-${spec.name}`, {
      spec,
      dataLake: this.dataLake,
      registry: this.registry,
      predictionStore: this.predictionStore,
      monitoring: this.monitoring,
      logRetention: this.logRetention,
    });
    this.deployments.set(spec.name, deployment);
    for (const f of findings) {
      const message = formatFinding(f);
      if (f.level === CheckLevel.WARNING && !f.acknowledgedReason) Annotations.of(deployment).addWarningV2(f.id, message);
      else Annotations.of(deployment).addInfo(message);
    }
    Annotations.of(deployment).addInfo(`${spec.name}: serving front end "${spec.inference.serving}" (${spec.inference.servingReason})`);

    const id = pascal(spec.name);
    this.publish(`${id}TrainingStateMachine`, PARAMETERS.trainingStateMachine(this.platformName, spec.name),
      deployment.trainingPipeline.stateMachine.stateMachineArn, `Training pipeline of ${spec.name}`);
    if (deployment.batchInference) {
      this.publish(`${id}BatchInferenceStateMachine`, PARAMETERS.batchInferenceStateMachine(this.platformName, spec.name),
        deployment.batchInference.stateMachine.stateMachineArn, `Batch inference of ${spec.name}`);
    }
    if (deployment.endpointUrl) {
      this.publish(`${id}Endpoint`, PARAMETERS.endpoint(this.platformName, spec.name), deployment.endpointUrl, `Prediction endpoint of ${spec.name}`);
    }
    return deployment;
  }

  private publish(id: string, parameterName: string, value: string, description: string): void {
    new ssm.StringParameter(this, `${id}Parameter`, { parameterName, stringValue: value, description: `cdk-mlops: ${description}` });
    new CfnOutput(this, id, { value, description });
  }
}

function pascal(name: string): string {
  return name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}
