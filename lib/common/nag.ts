// The cdk-nag findings the platform carries by design, each with the one reason a reviewer
// reads, and the one way to acknowledge them. cdk-nag matches an acknowledgement by the exact
// finding id, and the id spells the resource as the policy resolves in its stack: `<AWS::Region>`
// in an env-agnostic stack, `eu-west-1` in a stack with `env`. So evidence is never written by
// hand in one spelling: ARNs of our resources are resolved from their tokens, and fixed ARN
// patterns are written env-agnostic and rendered for the stack they land in.
import { CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** An acknowledged finding: the exact cdk-nag id and why it is acceptable. */
export interface NagAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** How cdk-nag spells a value (an ARN with tokens) in a finding id, in `scope`'s stack. */
export function nagSpelling(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

/**
 * cdk-nag's flattening of a resolved CloudFormation value (its `flattenCfnReference`, which the
 * package does not export): joins are joined, `Ref` and `Fn::GetAtt` become `<Id>` and
 * `<Id.Attr>`, `${x}` in strings `<x>`, anything else its JSON.
 */
export function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const o = node as Record<string, any>;
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(flatten).join(o['Fn::Join'][0]);
  if (o['Fn::Sub']) return flatten(o['Fn::Sub']);
  if (o['Fn::GetAtt']) return `<${flatten(o['Fn::GetAtt'][0])}.${flatten(o['Fn::GetAtt'][1])}>`;
  if (o['Fn::ImportValue']) return flatten(o['Fn::ImportValue']);
  if (o.Ref) return `<${flatten(o.Ref)}>`;
  return JSON.stringify(node);
}

/** How cdk-nag spells the ARN attribute of a resource (`<LogicalId.Arn>`). */
export function nagArn(resource: IConstruct): string {
  const cfn = (resource.node.defaultChild ?? resource) as CfnElement;
  return `<${Stack.of(cfn).getLogicalId(cfn)}.Arn>`;
}

/**
 * An env-agnostic finding id (`arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:...`)
 * as cdk-nag spells it in `scope`'s stack: pseudo parameters the stack knows become literals.
 */
export function renderForStack(scope: IConstruct, id: string): string {
  const stack = Stack.of(scope);
  const known: Array<[string, string]> = [['<AWS::Region>', stack.region], ['<AWS::AccountId>', stack.account], ['<AWS::Partition>', stack.partition]];
  return known.reduce((out, [placeholder, value]) => (Token.isUnresolved(value) ? out : out.split(placeholder).join(value)), id);
}

/** Acknowledges findings on `scope` and everything below it, in the spelling of its stack. */
export function acknowledgeNag(scope: IConstruct, ...acks: Array<NagAcknowledgement | NagAcknowledgement[]>): void {
  Validations.of(scope).acknowledge(...acks.flat().map((a) => ({ id: renderForStack(scope, a.id), reason: a.reason })));
}

/** The prefixes of the packs besides AwsSolutions that the platform is held to (bin/policy-packs.ts). */
const NIST = 'NIST.800.53.R5';
const HIPAA = 'HIPAA.Security';
const SERVERLESS = 'Serverless';

/** One reason for a rule that several packs check under the same name. */
const inPacks = (packs: string[], rule: string, reason: string): NagAcknowledgement[] => packs.map((pack) => ({ id: `${pack}-${rule}`, reason }));

const iam5 = (resource: string, reason: string): NagAcknowledgement => ({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });

/** The catalogue: one entry, and one reason, per kind of finding. */
export const NagFindings = {
  /** IAM4 on a Lambda function's role. */
  lambdaBasicExecution: (): NagAcknowledgement => ({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'Lambda\'s basic execution policy only allows creating and writing CloudWatch log streams; each function writes to its own log group with set retention.',
  }),
  /** L1: the runtime is pinned by MlopsFunction. */
  lambdaRuntime: (): NagAcknowledgement => ({
    id: 'AwsSolutions-L1',
    reason: 'The runtime is pinned platform-wide by MlopsFunction (nodejs22.x, the target of the build-time bundles); all handlers move to a newer runtime together.',
  }),
  /** IAM5 on `*`: only actions that AWS offers no resource-level permission for. */
  actionsWithoutResourceLevelPermissions: (): NagAcknowledgement => iam5('*',
    'Only actions without resource-level permissions are granted on "*": X-Ray trace writes, ecr:GetAuthorizationToken, cloudwatch:PutMetricData '
    + '(limited by a cloudwatch:namespace condition), CloudWatch Logs delivery of state machines, batch:DescribeJobs/TerminateJob (.sync polling, failure explanations), '
    + 'dynamodb:ListStreams and, with a VPC, SageMaker\'s network interface management; every other statement names its resource.'),
  /** IAM5 on `kms:GenerateDataKey*`. */
  kmsDataKeys: (): NagAcknowledgement => ({
    id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason: 'Writing objects, items or messages encrypted with the platform\'s customer key needs data keys; the grant names that one key.',
  }),
  /** IAM5 on `kms:ReEncrypt*`. */
  kmsReEncrypt: (): NagAcknowledgement => ({
    id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    reason: 'Part of the standard encrypt/decrypt grant on the platform\'s customer key; the grant names that one key.',
  }),
  /** IAM5 on a registry table's indexes. */
  registryIndex: (scope: IConstruct, tableArn: string): NagAcknowledgement => iam5(`${nagSpelling(scope, tableArn)}/index/*`,
    'Registry grants (ModelRegistry) include the table\'s query indexes (versions, runs by model and time); same table only.'),
  /** IAM5 on the objects under one prefix of one bucket. */
  objectsUnder: (scope: IConstruct, bucketArn: string, prefix: string): NagAcknowledgement => iam5(`${nagSpelling(scope, bucketArn)}/${prefix}*`,
    `${prefix ? `Objects under the prefix "${prefix}"` : 'Objects'} of this one bucket: their names (models, dates, categories, run ids, part files) are only known at run time.`),
  /** IAM5 on one kind of file in every run of a model (a pattern with a run-id wildcard). */
  runFiles: (scope: IConstruct, bucketArn: string, pattern: string): NagAcknowledgement => iam5(`${nagSpelling(scope, bucketArn)}/${pattern}`,
    'One named file in each run of this one model (run ids and job names are only known at run time); nothing else under the runs.'),
  /** IAM5 on the versions and aliases of a function. */
  functionVersions: (scope: IConstruct, functionArn: string): NagAcknowledgement => iam5(`${nagSpelling(scope, functionArn)}:*`,
    'Step Functions invokes this one function, with any version or alias qualifier.'),
  /** IAM5 on training jobs whose names start with a prefix (or any name, for scoring jobs). */
  trainingJobs: (namePrefix: string): NagAcknowledgement => iam5(`arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/${namePrefix}*`,
    'Training and scoring job names are generated per execution; the state machine may create, describe and stop only these jobs, in this account and region.'),
  /** IAM5 on the SageMaker training log group family. */
  sageMakerTrainingLogs: (suffix: ':*' | '*'): NagAcknowledgement => iam5(`arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/TrainingJobs${suffix}`,
    'SageMaker writes job logs to this fixed log group, one stream per job, named at run time.'),
  /** IAM5 on the SageMaker models or endpoint configs of one model's versions (lib/model-endpoint). */
  endpointVersions: (scope: IConstruct, arnPattern: string): NagAcknowledgement => iam5(nagSpelling(scope, arnPattern),
    'A promoted version\'s SageMaker model and endpoint config are named <model>-v<version>-<hash> at promotion; the endpoint update function may create only this model\'s.'),
  /** IAM5 on the SageMaker endpoint log group family. */
  sageMakerEndpointLogs: (): NagAcknowledgement => iam5('arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/Endpoints/*',
    'SageMaker writes endpoint logs to a fixed log group per endpoint, /aws/sagemaker/Endpoints/<name>, with the name generated at deployment.'),
  /** IAM5 on every ECR repository of the account and region. */
  ecrRepositories: (): NagAcknowledgement => iam5('arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/*',
    'The scoring image is the one each version was registered with, known only at run time; pulls are limited to this account and region.'),
  /** IAM5 on the executions of one state machine (an `executions` ARN from `grantExecution`). */
  executionsOf: (scope: IConstruct, executionsArn: string): NagAcknowledgement => iam5(nagSpelling(scope, executionsArn),
    'Executions of this one state machine only; execution names are made per start.'),
  /** IAM5 on the child executions of a Distributed Map. */
  distributedMapExecutions: (scope: IConstruct, stateMachineArn: string): NagAcknowledgement[] => {
    const name = JSON.stringify(Stack.of(scope).resolve({ 'Fn::Select': [6, { 'Fn::Split': [':', stateMachineArn] }] }));
    const reason = 'Distributed Map child executions of this one state machine, named at run time.';
    return [
      iam5(`arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*`, reason),
      iam5(`arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}/*:*`, reason),
    ];
  },
  /** IAM4 on the ECS container-instance role of Batch compute environments. */
  ecsInstanceRole: (): NagAcknowledgement => ({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]',
    reason: 'The documented ECS container-instance policy the ECS agent on Batch instances needs (register, poll, pull from ECR, logs); jobs get their own job role, and IMDS hop limit 1 keeps containers from this role.',
  }),
  /** IAM4 on API Gateway's account-level logging role. */
  apiGatewayLogsRole: (): NagAcknowledgement => ({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason: 'The account-level role API Gateway needs to write execution logs; AWS maintains it and it grants only log writes.',
  }),
  /** EC23 on security groups whose ingress is a VPC CIDR token. */
  vpcCidrIngress: (): NagAcknowledgement[] => {
    const reason = 'Ingress is limited to the VPC CIDR (listener or HTTPS endpoint ports), which cdk-nag cannot read because the CIDR is a token; no SSH, RDP or database port is open.';
    return [{ id: 'AwsSolutions-EC23', reason }, ...inPacks([NIST, HIPAA], 'EC2RestrictedCommonPorts', reason), ...inPacks([NIST, HIPAA], 'EC2RestrictedSSH', reason)];
  },
  /** EC23 on an internet-facing load balancer. */
  internetFacingListener: (): NagAcknowledgement => ({
    id: 'AwsSolutions-EC23',
    reason: 'An internet-facing prediction endpoint must accept clients from any address on its HTTPS port; the listener verifies client certificates against a trust store (mutual TLS), and the tasks accept traffic only from the load balancer security group.',
  }),
  /** ELB2 on the PrivateLink NLB in front of a prediction service's ALB. */
  privateLinkLoadBalancer: (): NagAcknowledgement => ({
    id: 'AwsSolutions-ELB2',
    reason: 'The PrivateLink NLB only passes TCP through to the prediction service ALB, which writes the access logs of every request; NLB access logs exist for TLS listeners only.',
  }),
  /** ECS2: environment variables in a task definition. */
  plainTaskEnvironment: (): NagAcknowledgement => ({
    id: 'AwsSolutions-ECS2',
    reason: 'The environment holds only non-secret configuration (table names, region, port, the serving rules); no credentials are passed: the task role provides them.',
  }),
  /** S1 on the bucket that receives access logs. */
  accessLogBucket: (): NagAcknowledgement[] => [
    { id: 'AwsSolutions-S1', reason: 'This bucket is the destination of access logs; logging its own access would only log the log delivery.' },
    ...NagFindings.accessLogDestination(),
  ],
  /** SQS3 and the redrive rule on a dead-letter queue. */
  deadLetterQueue: (): NagAcknowledgement[] => [
    { id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue.' },
    { id: `${SERVERLESS}-SQSRedrivePolicy`, reason: 'This queue is itself a dead-letter queue.' },
  ],
  /** APIG4 when public access was asked for. */
  publicApi: (): NagAcknowledgement => ({ id: 'AwsSolutions-APIG4', reason: 'publicAccess was asked for: predictions are served without authorization (throttled at the stage).' }),
  /** COG4: callers are services signing with IAM, not Cognito users. */
  iamCallers: (): NagAcknowledgement => ({
    id: 'AwsSolutions-COG4',
    reason: 'Callers authenticate with IAM (SigV4) or API keys, or publicAccess was asked for; not Cognito user pools: the callers are services, not end users.',
  }),
  /** APIG2: the handler validates requests. */
  handlerValidatesRequests: (): NagAcknowledgement => ({
    id: 'AwsSolutions-APIG2',
    reason: 'Requests are validated by the handler, which answers 400 with the field, the value and the fix; a request model would duplicate that and lose the reasons.',
  }),
  /** APIG3: REST API without a web ACL. */
  noWebAcl: (): NagAcknowledgement => ({ id: 'AwsSolutions-APIG3', reason: 'No web ACL was given; the REST API was chosen for API keys and usage plans.' }),
  /** LambdaInsideVPC: a function that calls only AWS APIs. */
  functionOutsideVpc: (): NagAcknowledgement[] => inPacks([NIST, HIPAA], 'LambdaInsideVPC',
    'The function calls only AWS service APIs (DynamoDB, S3, Step Functions, SNS, CloudWatch, SageMaker), over TLS with IAM-signed requests, and nothing inside a VPC; '
    + 'VPC placement would add network interfaces and an interface endpoint per service (or a NAT gateway) for access it does not need. The smoke-test probe, which calls into the VPC, runs in it.'),
  /** Serverless LambdaLatestVersion: the runtime is pinned by MlopsFunction. */
  runtimePinned: (): NagAcknowledgement[] => inPacks([SERVERLESS], 'LambdaLatestVersion',
    'The runtime is pinned platform-wide by MlopsFunction (nodejs22.x, an AWS-supported LTS and the target of the build-time bundles); all handlers move to a newer runtime together.'),
  /** LambdaDLQ and LambdaConcurrency on a function that is only invoked synchronously. */
  synchronousFunction: (): NagAcknowledgement[] => [
    ...inPacks([NIST, HIPAA, SERVERLESS], 'LambdaDLQ',
      'Invoked synchronously only (a Step Functions task or an API request): a failure returns to the caller, which retries it and records it (a failed execution, a 5xx answer); '
      + 'a dead-letter queue receives events of asynchronous invocations only. Functions invoked asynchronously have one (MlopsFunction asynchronous).'),
    ...inPacks([NIST, HIPAA], 'LambdaConcurrency',
      'Invoked synchronously, with its concurrency bounded by the caller (Map concurrency, API throttling). A reservation per function (about 15 per model) would carve up the account\'s regional pool '
      + 'and turn a burst into throttled calls, which Step Functions does not retry by default. Asynchronously invoked functions reserve concurrency.'),
  ],
  /** IAMNoInlinePolicy: the grants of one role. */
  rolePolicy: (): NagAcknowledgement[] => inPacks([NIST, HIPAA], 'IAMNoInlinePolicy',
    'The policy holds the grants of exactly one role, each statement naming its resources (least privilege through CDK grants), and is created and deleted with that role; '
    + 'IAM recommends inline policies for such a strict one-to-one relationship. A customer managed policy would be reusable by other roles, which these grants must not be.'),
  /** DynamoDBInBackupPlan: a table with PITR and no AWS Backup plan given. */
  tableWithPitr: (): NagAcknowledgement[] => inPacks([NIST, HIPAA], 'DynamoDBInBackupPlan',
    'Point-in-time recovery is on (restore to any second of the last 35 days), deletion protection and RETAIN too: the platform\'s 3-day RPO needs no further copy. '
    + 'Pass backupPlan to add the table to an AWS Backup plan (vault-locked or cross-account copies).'),
  /** S3BucketReplicationEnabled: a bucket of a single-region platform. */
  bucketReplication: (): NagAcknowledgement[] => inPacks([NIST, HIPAA], 'S3BucketReplicationEnabled',
    'The platform runs in one region; the bucket is versioned, retained on stack deletion and encrypted. Datasets are re-ingested and models retrained within the 3-day RTO, '
    + 'so a second copy of a linearly growing training set is not worth its storage; add a replication rule where a cross-region copy is required.'),
  /** S3DefaultEncryptionKMS and S3BucketLoggingEnabled on a bucket that receives access logs. */
  accessLogDestination: (): NagAcknowledgement[] => [
    ...inPacks([NIST, HIPAA], 'S3DefaultEncryptionKMS', 'S3 server access logs and load balancer access logs can only be delivered to a bucket encrypted with SSE-S3 (AES-256), not SSE-KMS.'),
    ...inPacks([NIST, HIPAA], 'S3BucketLoggingEnabled', 'This bucket is the destination of access logs; logging its own access would only log the log delivery.'),
  ],
  /** Serverless EventBusDLQ: a rule target with retries whose failures land elsewhere. */
  ruleTargetRetried: (): NagAcknowledgement[] => inPacks([SERVERLESS], 'EventBusDLQ',
    'The target is a function or state machine of this stack, invoked with a retry policy (retry attempts and maximum event age set); an asynchronously invoked function keeps '
    + 'events it fails in its own dead-letter queue, and a state machine start that fails is seen by the freshness and training alarms.'),
  /** Serverless SNSRedrivePolicy: e-mail subscriptions. */
  emailSubscription: (): NagAcknowledgement[] => inPacks([SERVERLESS], 'SNSRedrivePolicy',
    'An e-mail subscription of alarm and notification messages: SNS retries e-mail delivery itself, and a redrive queue would hold messages nobody reads; the alarm state stays in CloudWatch.'),
  /** IAM4 on the role AWS Backup uses for a table's backup selection. */
  backupServiceRole: (): NagAcknowledgement => ({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
    reason: 'The AWS-maintained policy AWS Backup documents for its service role: it only creates and manages backups of the selected resources.',
  }),
  /** VPCNoUnrestrictedRouteToIGW: the default route of a public subnet. */
  publicSubnetRoute: (): NagAcknowledgement[] => inPacks([NIST, HIPAA], 'VPCNoUnrestrictedRouteToIGW',
    'The default route of a public subnet, which only an internet-facing prediction load balancer (access mode internet) uses; no address is assigned on launch. '
    + 'Instances, tasks, functions and internal load balancers run in isolated subnets without any route out of the VPC.'),
  /** VPCDefaultSecurityGroupClosed: nothing uses the default security group. */
  defaultSecurityGroupUnused: (): NagAcknowledgement[] => inPacks([NIST, HIPAA], 'VPCDefaultSecurityGroupClosed',
    'No resource of the platform uses the VPC\'s default security group: every endpoint, load balancer, task and compute environment gets its own group with named ingress. '
    + 'Emptying its rules needs a custom-resource Lambda function at deploy time (restrictDefaultSecurityGroup); an AWS Config rule or a Security Hub control can watch it instead.'),
  /** HIPAA CodeBuildProjectSourceRepoUrl: a project whose source is its pipeline's artifact. */
  pipelineSourcedProject: (): NagAcknowledgement[] => inPacks([HIPAA], 'CodeBuildProjectSourceRepoUrl',
    'The project has no repository source of its own: CodePipeline hands it the source artifact (fetched through the CodeConnections connection or from the S3 archive), '
    + 'so no repository URL and no credential is configured on the project.'),
};
