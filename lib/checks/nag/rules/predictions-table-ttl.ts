import { NagRuleCompliance } from 'cdk-nag';
import { MlopsNagRule } from '../mlops-nag-rule';
import { predictionsTable } from '../support/predictions-table';

/** Predictions tables expire their items with TTL. */
export const predictionsTableTtl: MlopsNagRule = {
  id: 'PredictionsTableTtl',
  info: 'A predictions table does not have TTL enabled.',
  explanation: 'Predictions are only valid until the next batch replaces them (the RPO): without TTL the table grows with every batch, '
    + 'costs grow with it, and an outdated prediction can be served as a fresh one. Enable TimeToLiveSpecification on the expiry attribute. '
    + 'A table is a predictions table when it names a TTL attribute, is tagged cdk-mlops:table=predictions, or its literal name contains "prediction".',
  check: (node) => {
    const table = predictionsTable(node);
    if (!table) return NagRuleCompliance.NOT_APPLICABLE;
    return table.ttl ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
