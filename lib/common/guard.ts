// The cfn-guard findings (AWS Control Tower proactive controls, as @cdklabs/cdk-validator-cfnguard
// bundles them) that the platform carries by design, each with the one reason a reviewer reads,
// and the one way to acknowledge them: `Metadata.guard.SuppressedRules` on the resource, the
// convention of the guard rules registry. The Control Tower rules themselves do not read that
// metadata, so the policy test takes the binary's findings and leaves out the (rule, resource)
// pairs acknowledged here; the reasons travel beside it in `Metadata["cdk-mlops:guard"]`, from
// where the README's table is built.
import { CfnResource } from 'aws-cdk-lib';
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
  /** CT.ELASTICLOADBALANCING.PR.6 on the PrivateLink NLB. */
  tcpPassThroughLogs: (): GuardAcknowledgement => ({
    rule: 'elbv2_logging_enabled_check',
    control: 'CT.ELASTICLOADBALANCING.PR.6',
    reason: 'The PrivateLink network load balancer passes TCP through to the application load balancer, which logs every request; NLBs write access logs for TLS listeners only.',
  }),
};
