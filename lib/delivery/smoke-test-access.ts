import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PARAMETERS } from '../../lambda/shared/contract';
import { acknowledgeNag, nagSpelling } from '../common/nag';
import { MlopsPlatform } from '../platform/mlops-platform';

/** Props of {@link SmokeTestAccess}. */
export interface SmokeTestAccessProps {
  /** The platform the smoke test checks. */
  readonly platform: MlopsPlatform;
  /** The account whose pipeline runs the smoke test (the only one trusted). */
  readonly pipelineAccount: string;
}

/**
 * The role a pipeline's smoke test assumes in a stage account: read the platform's SSM
 * parameters, read one item of the registry, and call the prediction endpoints (GET only). It
 * can change nothing.
 */
export class SmokeTestAccess extends Construct {
  /** The role's name, fixed so the pipeline (in another account) can name it before it exists. */
  static roleName(platformName: string, region: string): string {
    return `cdk-mlops-smoke-${platformName}-${region}`.slice(0, 64);
  }

  /** ARN of the role in `account` (known before deployment). */
  static roleArn(account: string, region: string, platformName: string, partition = 'aws'): string {
    return `arn:${partition}:iam::${account}:role/${SmokeTestAccess.roleName(platformName, region)}`;
  }

  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SmokeTestAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { platform } = props;
    this.role = new iam.Role(this, 'Role', {
      roleName: SmokeTestAccess.roleName(platform.platformName, stack.region),
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount),
      description: `cdk-mlops: post-deploy smoke test of platform ${platform.platformName}, assumed by the delivery pipeline in ${props.pipelineAccount}`,
    });
    const parameters = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${PARAMETERS.root(platform.platformName).slice(1)}*` });
    const invoke = stack.formatArn({ service: 'execute-api', resource: '*', resourceName: '*/GET/*' });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameters] }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [platform.registry.tableArn] }));
    platform.registry.encryptionKey?.grantDecrypt(this.role);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: [invoke] }));
    acknowledgeNag(this,
      {
        id: `AwsSolutions-IAM5[Resource::${nagSpelling(this, parameters)}]`,
        reason: 'The parameters the platform publishes under its own /cdk-mlops/<platform>/ path (tables, buckets, endpoints), read-only.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:*/*/GET/*]',
        reason: 'GET requests (health, one prediction) to the prediction APIs of this account and region; the API ids are made by the model stacks deployed after this role.',
      });
  }
}
