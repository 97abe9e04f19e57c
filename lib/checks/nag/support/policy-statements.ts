// The identity-based policy statements of an IAM resource, as rendered: AWS::IAM::Policy and
// ManagedPolicy documents, and the inline Policies of roles, users and groups. Resource
// policies (key, bucket, repository policies) are not here: their `Resource: *` means "this
// resource".
import { CfnResource } from 'aws-cdk-lib';
import { flatten } from '../../../common/nag';
import { renderedProperties } from './rendered-properties';

/** An Allow or Deny statement with its actions and resources as flattened strings. */
export interface PolicyStatement {
  readonly effect: string;
  readonly actions: string[];
  /** True when the statement uses NotAction (it allows everything but the listed actions). */
  readonly notAction: boolean;
  readonly resources: string[];
}

const IDENTITIES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);

/** The identity-based statements a resource declares (none for other resources). */
export function identityStatements(node: CfnResource): PolicyStatement[] {
  const type = node.cfnResourceType;
  if (type !== 'AWS::IAM::Policy' && type !== 'AWS::IAM::ManagedPolicy' && !IDENTITIES.has(type)) return [];
  const p = renderedProperties(node);
  const documents = IDENTITIES.has(type) ? asList(p.Policies).map((pol) => (pol as Record<string, unknown>).PolicyDocument) : [p.PolicyDocument];
  return documents.flatMap((d) => asList((d as Record<string, unknown> | undefined)?.Statement)).map((s) => {
    const st = s as Record<string, unknown>;
    return {
      effect: String(st.Effect),
      actions: asList(st.Action ?? st.NotAction).map(flatten),
      notAction: st.NotAction !== undefined,
      resources: asList(st.Resource ?? (st.NotResource !== undefined ? '*' : undefined)).map(flatten),
    };
  });
}

/** The AWS-managed policy ARNs attached to a role, user or group, flattened. */
export function managedPolicyArns(node: CfnResource): string[] {
  if (!IDENTITIES.has(node.cfnResourceType)) return [];
  return asList(renderedProperties(node).ManagedPolicyArns).map(flatten);
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}
