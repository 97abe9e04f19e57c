import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LOG_FIELDS as F } from '../../lambda/shared/monitoring/constants';

/** Log groups of one model for the saved Logs Insights queries. */
export interface MonitorLogsProps {
  /** Model name (as in the model spec). */
  readonly model: string;
  /**
   * Log groups of the model's pipeline steps (training, evaluation, batch inference, loader).
   * @default - no "failed runs" query
   */
  readonly pipelineLogGroups?: logs.ILogGroup[];
  /**
   * Log groups of the model's prediction server or function.
   * @default - no "slowest requests" / "fallback answers by rule" queries
   */
  readonly servingLogGroups?: logs.ILogGroup[];
}

/**
 * Saved queries over the structured JSON logs (shape: lambda/shared/monitoring/logger.ts,
 * field names LOG_FIELDS): failed runs of a model, slowest requests, fallback answers by rule.
 */
export function addLogQueries(scope: Construct, prefix: string, p: MonitorLogsProps): logs.QueryDefinition[] {
  const out: logs.QueryDefinition[] = [];
  const q = (s: string) => JSON.stringify(s);
  if (p.pipelineLogGroups?.length) {
    out.push(new logs.QueryDefinition(scope, 'FailedRunsQuery', {
      queryDefinitionName: `${prefix}/${p.model}/failed-runs`,
      logGroups: p.pipelineLogGroups,
      queryString: new logs.QueryString({
        fields: ['@timestamp', F.model, F.category, F.runId, F.executionArn, F.status, F.level, '@message'],
        filterStatements: [
          `${F.model} = ${q(p.model)}`,
          `${F.status} = "FAILED" or ${F.level} = "ERROR" or ${F.level} = "CRITICAL"`,
        ],
        sort: '@timestamp desc',
        limit: 200,
      }),
    }));
  }
  if (p.servingLogGroups?.length) {
    out.push(new logs.QueryDefinition(scope, 'SlowestRequestsQuery', {
      queryDefinitionName: `${prefix}/${p.model}/slowest-requests`,
      logGroups: p.servingLogGroups,
      queryString: new logs.QueryString({
        fields: ['@timestamp', F.requestId, F.model, F.category, F.source, F.rule, F.latencyMs],
        filterStatements: [`${F.model} = ${q(p.model)}`, `ispresent(${F.latencyMs})`],
        sort: `${F.latencyMs} desc`,
        limit: 100,
      }),
    }));
    out.push(new logs.QueryDefinition(scope, 'FallbacksByRuleQuery', {
      queryDefinitionName: `${prefix}/${p.model}/fallback-answers-by-rule`,
      logGroups: p.servingLogGroups,
      queryString: new logs.QueryString({
        filterStatements: [`${F.model} = ${q(p.model)}`, `${F.source} in ["fallback", "rule"]`],
        statsStatements: [`count(*) as answers by ${F.source}, ${F.rule}, ${F.category}`],
        sort: 'answers desc',
      }),
    }));
  }
  return out;
}
