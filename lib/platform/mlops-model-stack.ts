import { Aspects, Stack, StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ExperimentTracking } from '../experiment-tracking/experiment-tracking';
import { assertPatternChecks } from '../checks/run-pattern-checks';
import { PolicyPackAcknowledgements } from '../common/policy-pack-acks';
import { MlopsMonitoring } from '../monitoring/mlops-monitoring';
import { ModelSpec } from '../spec/model-spec';
import { ModelDeployment } from './model-deployment';
import { networkNeeds, publishModel } from './model-outputs';
import { PlatformImports, PlatformReference } from './platform-imports';

/** Props of {@link MlopsModelStack}. */
export interface MlopsModelStackProps extends StackProps {
  /** The validated model spec. */
  readonly spec: ModelSpec;
  /** The platform stack this model uses (`MlopsPlatform.reference`). */
  readonly platform: PlatformReference;
  /**
   * Every model of the platform, for the cross-model pattern checks (e.g. one model per service).
   * @default - this model only
   */
  readonly platformModels?: ModelSpec[];
  /**
   * Retention of the model's log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * One model in its own stack: training pipeline, batch inference, serving front end, alarms,
 * dashboard and drift loop. The platform stack's shared resources are imported through SSM
 * parameters (`PlatformImports`), so deploying, failing or deleting this stack never touches
 * the platform stack or another model. Construct ids inside: `Platform` (imports),
 * `Monitoring`, `Model`.
 */
export class MlopsModelStack extends Stack {
  /**
   * Most resources a model stack may hold: the largest shape (Batch GPU training, inference mode
   * both, an ALB + Fargate front end reached through PrivateLink, and the model hosted on Fargate
   * behind its own internal ALB) has 165 (152 with SageMaker hosting; 120 without real-time
   * hosting), plus a margin of 10 for a few more alarms or functions. Far under CloudFormation's
   * 500. A test fails when a stack shape passes it.
   */
  static readonly RESOURCE_BUDGET = 175;

  readonly deployment: ModelDeployment;
  readonly monitoring: MlopsMonitoring;

  constructor(scope: Construct, id: string, props: MlopsModelStackProps) {
    super(scope, id, props);
    Aspects.of(this).add(new PolicyPackAcknowledgements());
    const { spec } = props;
    const others = (props.platformModels ?? []).filter((s) => s.name !== spec.name);
    const findings = assertPatternChecks([...others, spec]).filter((f) => f.model === spec.name);
    const needs = networkNeeds(spec);
    if (needs.subnets && !props.platform.networkAvailabilityZones) {
      throw new Error(`model ${spec.name} needs the platform network (Batch training or a prediction service), but platform.networkAvailabilityZones is ${props.platform.networkAvailabilityZones ?? 0}: `
        + 'call platform.vpc() on the MlopsPlatform before taking its reference (MlopsPlatformStacks does)');
    }
    if (needs.publicSubnets && !props.platform.networkPublicSubnets) {
      throw new Error(`model ${spec.name} has inference.access.mode ${spec.inference.access.mode}, which needs public subnets in the platform network, but platform.networkPublicSubnets is ${props.platform.networkPublicSubnets ?? 0}: `
        + 'give the platform a vpc with public subnets (the platform network has them), or use access mode vpc or private-link');
    }
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    // Only what the model uses of the network is imported (no unused parameter in its template).
    // SageMaker jobs and endpoints run in the platform VPC whenever there is one.
    const shared = new PlatformImports(this, 'Platform', props.platform, { ...needs, subnets: needs.subnets || (props.platform.networkAvailabilityZones ?? 0) > 0 });
    this.monitoring = new MlopsMonitoring(this, 'Monitoring', {
      topic: shared.alarmTopic,
      logRetention,
      // This stack's drift loop reads and writes this model's data only.
      drift: { dataLake: shared.dataLake, registry: shared.registry, model: spec.name },
    });
    this.deployment = new ModelDeployment(this, 'Model', {
      spec,
      dataLake: shared.dataLake,
      registry: shared.registry,
      predictionStore: shared.predictionStore,
      monitoring: this.monitoring,
      logRetention,
      vpc: shared.vpc,
      experimentTracking: props.platform.experimentTracking ? ExperimentTracking.targetFor(this, props.platform.platformName, spec.name) : undefined,
    });
    publishModel(this, props.platform.platformName, this.deployment, findings);
  }
}
