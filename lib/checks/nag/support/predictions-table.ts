// Which DynamoDB tables hold predictions, and their TTL and PITR settings (AWS::DynamoDB::Table
// and the GlobalTable that TableV2 renders, where PITR is set per replica).
import { CfnResource } from 'aws-cdk-lib';
import { renderedProperties } from './rendered-properties';
import { field, isOn, isPresent, list } from './values';

/** The tag that declares a table a predictions table (for tables the other signs miss). */
export const PREDICTIONS_TABLE_TAG = { key: 'cdk-mlops:table', value: 'predictions' } as const;

/** A predictions table's settings: true when on (or unknown at synth). */
export interface PredictionsTable {
  readonly ttl: boolean;
  readonly pitr: boolean;
}

/**
 * The table's settings when it is a predictions table: it names a TTL attribute, carries
 * PREDICTIONS_TABLE_TAG, or has a literal name containing "prediction". Undefined otherwise.
 */
export function predictionsTable(node: CfnResource): PredictionsTable | undefined {
  const type = node.cfnResourceType;
  if (type !== 'AWS::DynamoDB::Table' && type !== 'AWS::DynamoDB::GlobalTable') return undefined;
  const p = renderedProperties(node);
  const ttl = field(p, 'TimeToLiveSpecification');
  const tagged = [...list(field(p, 'Tags')), ...list(field(p, 'Replicas')).flatMap((r) => list(field(r, 'Tags')))]
    .some((t) => field(t, 'Key') === PREDICTIONS_TABLE_TAG.key && field(t, 'Value') === PREDICTIONS_TABLE_TAG.value);
  const name = field(p, 'TableName');
  const named = typeof name === 'string' && /prediction/i.test(name);
  if (!isPresent(field(ttl, 'AttributeName')) && !tagged && !named) return undefined;
  const pitrOn = (spec: unknown) => isOn(field(spec, 'PointInTimeRecoveryEnabled'));
  const replicas = list(field(p, 'Replicas'));
  return {
    ttl: isOn(field(ttl, 'Enabled')),
    pitr: type === 'AWS::DynamoDB::Table'
      ? pitrOn(field(p, 'PointInTimeRecoverySpecification'))
      : replicas.length > 0 && replicas.every((r) => pitrOn(field(r, 'PointInTimeRecoverySpecification'))),
  };
}
