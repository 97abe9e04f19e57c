import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { MLOPS_NAG_RULES } from './rules';
import { PREDICTIONS_TABLE_TAG } from './support/predictions-table';

/**
 * The MLOps rules the standard cdk-nag packs do not check: SageMaker jobs (also those a Step
 * Functions task creates), models and endpoint configs in the VPC, network-isolated, with KMS on
 * volumes and outputs, inter-container encryption and data capture; no AWS-managed full-access
 * policy and no S3, ECR or KMS data action on every resource; hardened Batch job definitions;
 * predictions tables with TTL and PITR; buckets with lifecycle rules.
 *
 * Findings are `Mlops-<Rule>`; for a task in a state machine `Mlops-<Rule>[<state name>]`; IAM
 * findings name the policy or action. Acknowledge with `Validations.of(scope).acknowledge(...)`.
 *
 * @example
 * Validations.of(app).addPlugins(new MlopsChecks(app));
 */
export class MlopsChecks extends NagPack {
  /** The tag key that declares a DynamoDB table a predictions table (value `predictions`). */
  public static readonly PREDICTIONS_TABLE_TAG_KEY: string = PREDICTIONS_TABLE_TAG.key;
  /** The tag value that declares a DynamoDB table a predictions table. */
  public static readonly PREDICTIONS_TABLE_TAG_VALUE: string = PREDICTIONS_TABLE_TAG.value;

  public readonly name = 'Mlops';
  public readonly ruleIds = MLOPS_NAG_RULES.map((r) => `Mlops-${r.id}`);

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'Mlops';
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of MLOPS_NAG_RULES) {
      this.applyRule({ ruleSuffixOverride: rule.id, info: rule.info, explanation: rule.explanation, level: NagMessageLevel.ERROR, rule: rule.check, node });
    }
  }
}
