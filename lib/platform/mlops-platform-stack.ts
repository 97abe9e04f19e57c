import { Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ExperimentTrackingOptions } from '../experiment-tracking';
import { ModelSpec } from '../spec/model-spec';
import { MlopsPlatform } from './mlops-platform';
import { NetworkProvisioning } from './platform-network';

/** Props of {@link MlopsPlatformStack}. */
export interface MlopsPlatformStackProps extends StackProps {
  /**
   * Validated model specs, e.g. `loadModelSpecs('models')`.
   * @default - no model (storage, registry, predictions store and monitoring only)
   */
  readonly models?: ModelSpec[];
  /**
   * Name of the platform in its SSM parameters (`/cdk-mlops/<name>/...`).
   * @default 'default'
   */
  readonly platformName?: string;
  /**
   * E-mail addresses subscribed to the alarm topic.
   * @default - none
   */
  readonly alarmEmails?: string[];
  /**
   * Retention of every log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * An existing VPC for every model's Batch compute and prediction service (see
   * `MlopsPlatformProps.vpc`); its ids are published in SSM parameters that model stacks import.
   * @default - the platform network
   */
  readonly vpc?: ec2.IVpc;
  /**
   * When the platform network is created and with which endpoints (see `NetworkProvisioning`).
   * @default NetworkProvisioning.UP_FRONT - adding a model changes no other template
   */
  readonly network?: NetworkProvisioning;
  /**
   * A managed MLflow tracking server mirroring every finished run (see `MlopsPlatformProps.experimentTracking`).
   * @default - none
   */
  readonly experimentTracking?: ExperimentTrackingOptions;
}

/**
 * The platform in one env-agnostic stack: with `models`, everything in this stack (fine for a
 * few models); without, the shared part that `MlopsPlatformStacks` gives one stack per model.
 */
export class MlopsPlatformStack extends Stack {
  readonly platform: MlopsPlatform;

  constructor(scope: Construct, id: string, props: MlopsPlatformStackProps = {}) {
    super(scope, id, props);
    this.platform = new MlopsPlatform(this, 'Platform', {
      models: props.models,
      platformName: props.platformName,
      alarmEmails: props.alarmEmails,
      logRetention: props.logRetention,
      vpc: props.vpc,
      network: props.network,
      experimentTracking: props.experimentTracking,
    });
  }
}
