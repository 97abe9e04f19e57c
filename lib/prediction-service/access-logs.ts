import { Aws, CfnCondition, Fn, ICfnConditionExpression, IResolvable, Stack, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * The principal that delivers load balancer access logs in regions launched after August 2022
 * (eu-central-2, eu-south-2, ap-south-2, ap-southeast-4/5, il-central-1, me-central-1,
 * ca-west-1, mx-central-1 and later): they have no regional ELB account.
 */
export const ELB_LOG_DELIVERY_SERVICE = 'logdelivery.elasticloadbalancing.amazonaws.com';

/** Regions whose load balancers deliver logs as a regional ELB account, with that account. */
export function elbLogAccounts(): Array<[region: string, account: string]> {
  return RegionInfo.regions.flatMap((r) => (r.elbv2Account ? [[r.name, r.elbv2Account] as [string, string]] : []));
}

/**
 * Enables load balancer access logs. With a concrete region, `logAccessLogs` grants the
 * region's ELB account, or the log-delivery service where the region has none. In an
 * environment-agnostic stack the region is known at deploy time only: the grant is chosen
 * there, by conditions on `AWS::Region` (not a mapping lookup, which fails in a region it does
 * not list, even in the branch not taken).
 */
export function enableAccessLogs(alb: elbv2.ApplicationLoadBalancer, bucket: s3.IBucket, prefix: string): void {
  const stack = Stack.of(alb);
  if (!Token.isUnresolved(stack.region)) {
    alb.logAccessLogs(bucket, prefix);
    return;
  }
  alb.setAttribute('access_logs.s3.enabled', 'true');
  alb.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  alb.setAttribute('access_logs.s3.prefix', prefix);
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'],
    principals: [new RegionalLogDeliveryPrincipal(stack)],
    resources: [bucket.arnForObjects(`${prefix}/AWSLogs/${stack.account}/*`)],
  }));
  alb.node.addDependency(bucket);
}

/**
 * `{ AWS: <the region's ELB account> }` in the regions that have one, else
 * `{ Service: logdelivery.elasticloadbalancing.amazonaws.com }`. Each key is an `Fn::If` that
 * drops out (`AWS::NoValue`) where the other applies; the account is a flat list of one
 * `Fn::If` per region, of which only the deploy region's stays (not nested ifs: those make
 * template analysis, e.g. the assertions' cycle check, explore every combination).
 */
class RegionalLogDeliveryPrincipal extends iam.PrincipalBase {
  private readonly accounts: IResolvable[];
  private readonly legacyRegion: CfnCondition;

  constructor(stack: Stack) {
    super();
    const conditions = elbLogAccounts().map(([region, account]) => ({ account, condition: regionCondition(stack, region) }));
    this.legacyRegion = condition(stack, 'ElbLogAccountRegion', anyOf(conditions.map((c) => c.condition)));
    this.accounts = conditions.map((c) => Fn.conditionIf(c.condition.logicalId, `arn:${Aws.PARTITION}:iam::${c.account}:root`, Aws.NO_VALUE));
  }

  get policyFragment(): iam.PrincipalPolicyFragment {
    return new iam.PrincipalPolicyFragment({
      AWS: [Fn.conditionIf(this.legacyRegion.logicalId, this.accounts, Aws.NO_VALUE) as unknown as string],
      Service: [Fn.conditionIf(this.legacyRegion.logicalId, Aws.NO_VALUE, ELB_LOG_DELIVERY_SERVICE) as unknown as string],
    });
  }

  dedupeString(): string {
    return 'RegionalElbLogDelivery';
  }

  toString(): string {
    return 'RegionalElbLogDelivery';
  }
}

/** One condition per region and stack (shared by every load balancer of the stack). */
function regionCondition(stack: Stack, region: string): CfnCondition {
  const id = `ElbLogAccountIn${region.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('')}`;
  return condition(stack, id, Fn.conditionEquals(Aws.REGION, region));
}

function condition(stack: Stack, id: string, expression: ICfnConditionExpression): CfnCondition {
  return (stack.node.tryFindChild(id) as CfnCondition | undefined) ?? new CfnCondition(stack, id, { expression });
}

/** `Fn::Or` takes 2 to 10 conditions: a tree of them for more. */
function anyOf(conditions: ICfnConditionExpression[]): ICfnConditionExpression {
  if (conditions.length === 1) return conditions[0];
  if (conditions.length <= 10) return Fn.conditionOr(...conditions);
  const groups: ICfnConditionExpression[] = [];
  for (let i = 0; i < conditions.length; i += 10) groups.push(anyOf(conditions.slice(i, i + 10)));
  return anyOf(groups);
}
