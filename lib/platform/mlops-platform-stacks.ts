import { StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { assertPatternChecks } from '../checks/run-pattern-checks';
import { TrainingEngine } from '../spec/model-spec';
import { MlopsModelStack } from './mlops-model-stack';
import { MlopsPlatformProps } from './mlops-platform';
import { MlopsPlatformStack } from './mlops-platform-stack';
import { needsFeatureStoreRuntime, needsNetwork } from './model-outputs';

/**
 * Props of {@link MlopsPlatformStacks}: the platform's own (models, name, alarm e-mails, log
 * retention, vpc, network), except an existing data lake or registry (model stacks import the
 * platform stack's through SSM parameters), plus the stacks'.
 */
export interface MlopsPlatformStacksProps extends Omit<MlopsPlatformProps, 'dataLake' | 'registry'> {
  /**
   * Id (and name) of the platform stack; model stacks are named `<platformStackId>-<model>`.
   * @default 'MlopsPlatformStack'
   */
  readonly platformStackId?: string;
  /**
   * Props of every stack (env, tags, termination protection...). `description` is the platform
   * stack's; model stacks describe their model.
   * @default - env-agnostic stacks
   */
  readonly stackProps?: StackProps;
}

/**
 * The platform as top-level stacks: one `MlopsPlatformStack` with what all models share (data
 * lake, registry, predictions store, monitoring topic, one network) and one `MlopsModelStack`
 * per model. `cdk deploy <platform>-<model>` changes one model; a failed model deploy rolls back
 * that model only; adding a model (any backend, front end or access mode) adds a stack and
 * leaves every other template byte-identical, because the platform stack creates its network
 * up front with every endpoint a model may need (with `network: ON_DEMAND`, the first model
 * that needs the network, and the first Batch model, change the platform stack once).
 * Model stacks import the shared resources through SSM parameters, never through exports.
 */
export class MlopsPlatformStacks {
  readonly platformStack: MlopsPlatformStack;
  readonly modelStacks: MlopsModelStack[];

  constructor(scope: Construct, props: MlopsPlatformStacksProps = {}) {
    const models = props.models ?? [];
    // Fails before any stack is built, with every problem of every model.
    assertPatternChecks(models);
    const platformStackId = props.platformStackId ?? 'MlopsPlatformStack';
    this.platformStack = new MlopsPlatformStack(scope, platformStackId, {
      ...props.stackProps,
      platformName: props.platformName,
      alarmEmails: props.alarmEmails,
      logRetention: props.logRetention,
      vpc: props.vpc,
      network: props.network,
      experimentTracking: props.experimentTracking,
    });
    const platform = this.platformStack.platform;
    // Up front (the default) the network exists already; on demand it is made for the models.
    if (models.some(needsNetwork)) platform.vpc(models.some((m) => m.training.backend === TrainingEngine.BATCH), models.some(needsFeatureStoreRuntime));
    this.modelStacks = models.map((spec) => {
      const stack = new MlopsModelStack(scope, `${platformStackId}-${spec.name}`, {
        ...props.stackProps,
        description: `cdk-mlops: model ${spec.name} (training, batch inference, serving, alarms) of platform ${platform.platformName}`,
        spec,
        platform: platform.reference,
        platformModels: models,
        logRetention: props.logRetention,
      });
      // Deploy order only (the SSM parameters must exist): no export, nothing locks the platform stack.
      stack.addStackDependency(this.platformStack);
      return stack;
    });
  }
}
