import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MlopsPlatformStacks, MlopsPlatformStacksProps } from '../platform/mlops-platform-stacks';
import { withImageDigests } from './image-digests';
import { SmokeTestAccess } from './smoke-test-access';
import { DeliveryPropsError } from './delivery-props-error';

/** Props of {@link MlopsPlatformStage}. */
export interface MlopsPlatformStageProps extends StageProps {
  /** The platform to deploy (models, platform name, alarm e-mails...); the stage's `env` places every stack. */
  readonly platform: MlopsPlatformStacksProps;
  /**
   * Model name -> image by digest (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:...`),
   * replacing the spec's Dockerfile folder, so the stage deploys an image built once elsewhere.
   * @default - images of Dockerfile folders are Docker image assets, built when the stage deploys
   */
  readonly imageDigests?: Record<string, string>;
  /**
   * Account of the delivery pipeline that may assume the smoke-test role (`SmokeTestAccess`).
   * @default - no smoke-test role
   */
  readonly smokeTestAccount?: string;
}

/**
 * One environment of the platform (an account and a region): `MlopsPlatformStacks` in a CDK
 * `Stage`, which a delivery pipeline deploys. Stack names are `<stage>-<platformStackId>[-<model>]`.
 */
export class MlopsPlatformStage extends Stage {
  readonly platformStacks: MlopsPlatformStacks;
  /** The role the pipeline's smoke test assumes, when `smokeTestAccount` was given. */
  readonly smokeTestAccess?: SmokeTestAccess;

  constructor(scope: Construct, id: string, props: MlopsPlatformStageProps) {
    super(scope, id, props);
    if (props.platform.stackProps?.env) {
      throw new DeliveryPropsError([`stage ${id}: platform.stackProps.env is ${JSON.stringify(props.platform.stackProps.env)}; fix: remove it, the stage's env places every stack`], 'MlopsPlatformStage');
    }
    const models = props.imageDigests ? withImageDigests(props.platform.models ?? [], props.imageDigests) : props.platform.models;
    this.platformStacks = new MlopsPlatformStacks(this, { ...props.platform, models });
    if (props.smokeTestAccount) {
      this.smokeTestAccess = new SmokeTestAccess(this.platformStacks.platformStack, 'SmokeTestAccess', {
        platform: this.platformStacks.platformStack.platform,
        pipelineAccount: props.smokeTestAccount,
      });
    }
  }
}
