import { NagRuleCompliance } from 'cdk-nag';
import { MlopsNagRule } from '../mlops-nag-rule';
import { predictionsTable } from '../support/predictions-table';

/** Predictions tables have point-in-time recovery. */
export const predictionsTablePitr: MlopsNagRule = {
  id: 'PredictionsTablePitr',
  info: 'A predictions table does not have point-in-time recovery enabled.',
  explanation: 'Predictions expire, so a table of them looks disposable; but a bad batch or a wrong delete wipes what the servers answer with until the next batch, '
    + 'and re-scoring may take longer than the RTO. PITR restores the table to the minute before. Enable PointInTimeRecoverySpecification (on every replica of a global table).',
  check: (node) => {
    const table = predictionsTable(node);
    if (!table) return NagRuleCompliance.NOT_APPLICABLE;
    return table.pitr ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
