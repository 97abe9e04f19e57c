import { Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { PARAMETERS } from '../../lambda/shared/contract';
import { NagFindings, acknowledgeNag, nagSpelling } from '../common/nag';
import { MlopsPlatform } from '../platform/mlops-platform';
import { SMOKE_PROBE_SOURCE, smokeProbeParameter } from './smoke-probe-source';
import { acknowledgeOperationalLogRetention } from '../common/guard';
import { MlopsLogGroup } from '../common/log-key';
import { PolicyPackAcknowledgements } from '../common/policy-pack-acks';

/** Props of {@link SmokeTestAccess}. */
export interface SmokeTestAccessProps {
  /** The platform the smoke test checks. */
  readonly platform: MlopsPlatform;
  /** The account whose pipeline runs the smoke test (the only one trusted). */
  readonly pipelineAccount: string;
  /**
   * Retention of the probe function's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The role a pipeline's smoke test assumes in a stage account: read the platform's SSM
 * parameters, read one item of the registry, and call the prediction endpoints (GET only). It
 * can change nothing. When the platform has a network, a probe function in it makes the GETs to
 * internal load balancers, which the pipeline's CodeBuild (in the tools account) cannot reach.
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
  /** The probe in the platform's VPC, when the platform has one. */
  readonly probe?: lambda.Function;

  constructor(scope: Construct, id: string, props: SmokeTestAccessProps) {
    super(scope, id);
    Aspects.of(this).add(new PolicyPackAcknowledgements());
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
    if (platform.reference.networkAvailabilityZones) this.probe = this.addProbe(platform, props.logRetention ?? logs.RetentionDays.ONE_MONTH);
  }

  private addProbe(platform: MlopsPlatform, logRetention: logs.RetentionDays): lambda.Function {
    const vpc = platform.vpc();
    const securityGroup = new ec2.SecurityGroup(this, 'ProbeSecurityGroup', { vpc, allowAllOutbound: false, description: 'smoke-test probe: HTTP(S) to the internal load balancers of the platform' });
    for (const port of [80, 443]) securityGroup.addEgressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(port), 'internal load balancers');
    const probeLogs = new MlopsLogGroup(this, 'ProbeLogs', { retention: logRetention });
    acknowledgeOperationalLogRetention(probeLogs);
    const probe = new lambda.Function(this, 'Probe', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(SMOKE_PROBE_SOURCE),
      timeout: Duration.seconds(10),
      memorySize: 128,
      reservedConcurrentExecutions: 2,
      tracing: lambda.Tracing.ACTIVE,
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      logGroup: probeLogs,
      description: `cdk-mlops: smoke-test probe of platform ${platform.platformName} (GET /health and one prediction on internal load balancers)`,
    });
    // The unqualified function only (grantInvoke would add every version and alias).
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [probe.functionArn] }));
    new ssm.StringParameter(this, 'ProbeParameter', {
      parameterName: smokeProbeParameter(platform.platformName),
      stringValue: probe.functionName,
      description: 'cdk-mlops: the smoke-test probe function (scripts/smoke-test.mjs)',
    });
    acknowledgeNag(probe, NagFindings.lambdaRuntime(), NagFindings.runtimePinned(), NagFindings.synchronousFunction(), NagFindings.lambdaBasicExecution(), {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'Lambda\'s VPC access policy: the network interfaces a function in the VPC needs, and log writes to its own log group; AWS maintains it.',
    });
    return probe;
  }
}
