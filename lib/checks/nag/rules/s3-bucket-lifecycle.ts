import { NagRuleCompliance } from 'cdk-nag';
import { MlopsNagRule } from '../mlops-nag-rule';
import { renderedProperties } from '../support/rendered-properties';
import { field, isUnknown, list } from '../support/values';

/** Buckets have at least one enabled lifecycle rule. */
export const s3BucketLifecycle: MlopsNagRule = {
  id: 'S3BucketLifecycle',
  info: 'An S3 bucket has no enabled lifecycle rule.',
  explanation: 'ML buckets grow with every run: datasets, run outputs, checkpoints, predictions, logs and noncurrent versions. Without lifecycle rules '
    + 'they are kept in S3 Standard forever. Add rules that move cold data to cheaper classes, expire failed-run outputs and noncurrent versions, '
    + 'and abort incomplete multipart uploads.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::S3::Bucket') return NagRuleCompliance.NOT_APPLICABLE;
    const rules = field(field(renderedProperties(node), 'LifecycleConfiguration'), 'Rules');
    const enabled = isUnknown(rules) || list(rules).some((r) => isUnknown(r) || field(r, 'Status') !== 'Disabled');
    return enabled ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
