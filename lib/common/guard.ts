// The cfn-guard findings (AWS Control Tower proactive controls, as @cdklabs/cdk-validator-cfnguard
// bundles them) that the platform carries by design, each with the one reason a reviewer reads,
// and the one way to acknowledge them: `Metadata.guard.SuppressedRules` on the resource, the
// convention of the guard rules registry. The Control Tower rules themselves do not read that
// metadata, so the policy test takes the binary's findings and leaves out the (rule, resource)
// pairs acknowledged here; the reasons travel beside it in `Metadata["cdk-mlops:guard"]`, from
// where the README's table is built.
import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';

/** A Control Tower rule a resource fails by design, and why that is acceptable. */
export interface GuardAcknowledgement {
  /** The guard rule name cfn-guard reports (e.g. `alb_http_to_https_redirection_check`). */
  readonly rule: string;
  /** The Control Tower control (e.g. `CT.ELASTICLOADBALANCING.PR.1`). */
  readonly control: string;
  readonly reason: string;
}

/** The metadata key holding the acknowledgements with their reasons. */
export const GUARD_REASONS_METADATA = 'cdk-mlops:guard';

/** Acknowledges `acks` on the CloudFormation resource of `scope` (its default child, or itself). */
export function acknowledgeGuard(scope: IConstruct, ...acks: GuardAcknowledgement[]): void {
  const resource = (scope.node.defaultChild ?? scope) as CfnResource;
  if (!CfnResource.isCfnResource(resource)) {
    throw new Error(`${scope.node.path} has no CloudFormation resource to carry cfn-guard acknowledgements: acknowledge on the resource (or its L2 construct) instead`);
  }
  const metadata = resource.cfnOptions.metadata ?? {};
  const known: GuardAcknowledgement[] = metadata[GUARD_REASONS_METADATA] ?? [];
  const added = acks.filter((a) => !known.some((k) => k.rule === a.rule));
  const all = [...known, ...added];
  resource.cfnOptions.metadata = {
    ...metadata,
    guard: { ...metadata.guard, SuppressedRules: all.map((a) => a.rule) },
    [GUARD_REASONS_METADATA]: all,
  };
}

/** One acknowledged finding of a synthesized template. */
export interface GuardAcknowledgementRow extends GuardAcknowledgement {
  /** Logical id of the resource. */
  readonly resource: string;
  /** Its CloudFormation type. */
  readonly type: string;
}

/** Every acknowledgement a synthesized template carries, in logical id order. */
export function guardAcknowledgements(template: { Resources?: Record<string, { Type: string; Metadata?: Record<string, any> }> }): GuardAcknowledgementRow[] {
  return Object.entries(template.Resources ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([resource, r]) => ((r.Metadata?.[GUARD_REASONS_METADATA] ?? []) as GuardAcknowledgement[]).map((a) => ({ resource, type: r.Type, ...a })));
}

/** The catalogue: one entry, and one reason, per kind of finding. */
export const GuardFindings = {
  /** CT.ELASTICLOADBALANCING.PR.1 on the listener of `ServiceTransport.PLAINTEXT_INTERNAL`. */
  plaintextInternalListener: (): GuardAcknowledgement => ({
    rule: 'alb_http_to_https_redirection_check',
    control: 'CT.ELASTICLOADBALANCING.PR.1',
    reason: 'The plaintext internal mode was chosen (access.transport PLAINTEXT_INTERNAL, the default without a certificate): an internal load balancer '
      + 'that admits only the VPC, given client networks or PrivateLink; give a certificate to get HTTPS with this listener redirecting.',
  }),
  /** CT.S3.PR.10 on a load balancer's access-log bucket. */
  loadBalancerLogBucketEncryption: (): GuardAcknowledgement => ({
    rule: 's3_bucket_default_encryption_kms_check',
    control: 'CT.S3.PR.10',
    reason: 'Elastic Load Balancing writes access logs only to buckets encrypted with SSE-S3 (it cannot use a KMS key); the bucket is TLS-only, private, versioned and expires logs.',
  }),
  /** CT.S3.PR.2 on a bucket that receives access logs. */
  accessLogBucketLogging: (): GuardAcknowledgement => ({
    rule: 's3_bucket_logging_enabled_check',
    control: 'CT.S3.PR.2',
    reason: 'This bucket holds access logs; logging its own access would log into itself or need yet another log bucket.',
  }),
  /** CT.S3.PR.4 on a bucket no process consumes events of. */
  logBucketEvents: (): GuardAcknowledgement => ({
    rule: 's3_event_notifications_enabled_check',
    control: 'CT.S3.PR.4',
    reason: 'Access logs are read on demand (Athena, downloads); no process acts on new log objects, so an event notification would have no consumer.',
  }),
  /** CT.S3.PR.10 on the bucket that receives S3 server access logs. */
  serverAccessLogBucketEncryption: (): GuardAcknowledgement => ({
    rule: 's3_bucket_default_encryption_kms_check',
    control: 'CT.S3.PR.10',
    reason: 'S3 server access logging delivers only to a destination bucket encrypted with SSE-S3 (not SSE-KMS); the logs hold request metadata, not data, and the bucket is TLS-only, private, versioned and expires logs.',
  }),
  /** CT.S3.PR.9 on every bucket the library creates. */
  objectLock: (): GuardAcknowledgement => ({
    rule: 's3_bucket_object_lock_enabled_check',
    control: 'CT.S3.PR.9',
    reason: 'Object Lock (write once, read many) would stop the lifecycle expiry this bucket depends on and the deletion of a data subject\'s records; '
      + 'objects are protected instead by versioning with noncurrent-version expiry, a TLS-only bucket policy, blocked public access and least-privilege grants by prefix.',
  }),
  /** CT.S3.PR.4 on a datasets bucket whose owner turned events off. */
  eventsTurnedOff: (): GuardAcknowledgement => ({
    rule: 's3_event_notifications_enabled_check',
    control: 'CT.S3.PR.4',
    reason: 'The owner turned EventBridge notifications off (datasetsEventBridge false): training runs on its schedule only and no process consumes object events of this bucket.',
  }),
  /** CT.SQS.PR.1 on a queue that is itself a dead-letter queue. */
  deadLetterQueue: (): GuardAcknowledgement => ({
    rule: 'sqs_dlq_check',
    control: 'CT.SQS.PR.1',
    reason: 'This queue is itself a dead-letter queue: a message that lands here has already failed, is kept 14 days for inspection and replay, and is never consumed automatically, so a further dead-letter queue would receive nothing.',
  }),
  /** CT.ECS.PR.3 (non-root user) on a task whose only root container opens the task volumes. */
  rootVolumeInitContainer: (): GuardAcknowledgement => ({
    rule: 'ecs_task_definition_nonroot_user_check',
    control: 'CT.ECS.PR.3',
    reason: 'The one container that runs as root is a non-essential init step with no port that only makes the task volumes writable (Fargate creates them owned by root) and exits before the essential container starts; '
      + 'the essential container runs as 1000:1000 with a read-only root filesystem.',
  }),
  /** CT.CODEBUILD.PR.4 on the project that builds the model images. */
  dockerBuildPrivileged: (): GuardAcknowledgement => ({
    rule: 'codebuild_project_environment_privileged_check',
    control: 'CT.CODEBUILD.PR.4',
    reason: 'This project builds container images with Docker, which needs privileged mode in CodeBuild; it runs only the repository\'s own Dockerfiles from the pipeline source, with a role limited to pushing to its ECR repositories.',
  }),
  /** CT.LAMBDA.PR.2 on the permission an HTTP API route gets to invoke its function. */
  apiRoutePermission: (): GuardAcknowledgement => ({
    rule: 'lambda_function_public_access_prohibited_check',
    control: 'CT.LAMBDA.PR.2',
    reason: 'The permission names a SourceArn: only this HTTP API\'s route, in this account and region, may invoke the function; the rule cannot read the ARN because CloudFormation builds it (Fn::Join of the API id).',
  }),
  /** CT.CLOUDWATCH.PR.2 on a log group of operational diagnostics kept less than a year. */
  operationalLogRetention: (): GuardAcknowledgement => ({
    rule: 'cloudwatch_log_group_retention_period_check',
    control: 'CT.CLOUDWATCH.PR.2',
    reason: 'Operational diagnostics (function, container, access or flow logs), kept for troubleshooting and no longer (they carry request identifiers); '
      + 'the construct\'s logRetention prop keeps them longer. The audit trail is kept apart, at least a year: Step Functions execution logs, the model registry\'s records, CloudTrail.',
  }),
  /** CT.LAMBDA.PR.3 on a function that calls only AWS APIs. */
  functionOutsideVpc: (): GuardAcknowledgement => ({
    rule: 'lambda_inside_vpc_check',
    control: 'CT.LAMBDA.PR.3',
    reason: 'The function calls only AWS service APIs (DynamoDB, S3, Step Functions, SNS, CloudWatch, SageMaker) over TLS with IAM-signed requests, and nothing inside a VPC; '
      + 'VPC placement would add network interfaces and an interface endpoint per service (or a NAT gateway) for access it does not need.',
  }),
  /** CT.ELASTICLOADBALANCING.PR.6 on the PrivateLink NLB. */
  tcpPassThroughLogs: (): GuardAcknowledgement => ({
    rule: 'elbv2_logging_enabled_check',
    control: 'CT.ELASTICLOADBALANCING.PR.6',
    reason: 'The PrivateLink network load balancer passes TCP through to the application load balancer, which logs every request; NLBs write access logs for TLS listeners only.',
  }),
};

/** Acknowledges {@link GuardFindings.operationalLogRetention} on `logGroup` when it keeps its events less than a year. */
export function acknowledgeOperationalLogRetention(logGroup: logs.LogGroup): void {
  const days = Stack.of(logGroup).resolve((logGroup.node.defaultChild as logs.CfnLogGroup).retentionInDays);
  if (typeof days === 'number' && !Token.isUnresolved(days) && days < 365) acknowledgeGuard(logGroup, GuardFindings.operationalLogRetention());
}
