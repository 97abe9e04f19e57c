// Every CloudWatch Logs log group the library creates is encrypted with a customer key. One key
// per stack, not one platform key: model stacks import the platform's resources through SSM
// parameters without exports, and a key policy (which must admit the CloudWatch Logs service)
// cannot be extended from another stack. So each stack owns its log key, and adding a model
// leaves every other stack's template unchanged. The key policy admits CloudWatch Logs only for
// log groups of this account and region (the encryption context names the log group).
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { limitGrantsToAwsServices } from './key-grants';

/**
 * Retention of audit logs (Step Functions execution logs: every state's input and output): one
 * year, the period audit frameworks ask for, unless the owner sets another.
 */
export const AUDIT_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

const LOG_KEY_ID = 'MlopsLogKey';

/** The customer key that encrypts the log groups of one stack. */
export class LogKey extends kms.Key {
  /** The log key of `scope`'s stack, created on first use at the stack's root. */
  static of(scope: IConstruct): kms.IKey {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(LOG_KEY_ID) as LogKey | undefined) ?? new LogKey(stack, LOG_KEY_ID);
  }

  private constructor(scope: Construct, id: string) {
    super(scope, id, {
      description: `cdk-mlops: encrypts the CloudWatch Logs log groups of stack ${Stack.of(scope).stackName}`,
      enableKeyRotation: true,
      // Log groups that outlive the stack (retained ones) stay readable.
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    limitGrantsToAwsServices(this);
    const { partition, region, account } = Stack.of(this);
    this.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` } },
    }));
  }
}

/** A log group encrypted with its stack's {@link LogKey}. */
export class MlopsLogGroup extends logs.LogGroup {
  constructor(scope: Construct, id: string, props: Omit<logs.LogGroupProps, 'encryptionKey'>) {
    super(scope, id, { ...props, encryptionKey: LogKey.of(scope) });
  }
}
