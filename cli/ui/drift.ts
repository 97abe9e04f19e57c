// The last drift PSI per feature of a model. Drift is measured after each batch and published
// only as CloudWatch metrics (lambda/drift-compute, lambda/shared/monitoring/emf.ts): the page
// reads the newest datapoint of each (category, feature) series from there.
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, Metric } from '@aws-sdk/client-cloudwatch';
import { METRICS } from '../../lambda/shared/contract';
import { FEATURE_DIMENSION } from '../../lambda/shared/monitoring/constants';

/** One drift value: the newest PSI of a category's prediction (`feature` null) or of one feature. */
export interface DriftValue {
  readonly category: string;
  /** The input feature; null for the prediction distribution. */
  readonly feature: string | null;
  readonly psi: number;
  /** When the value was measured (ISO). */
  readonly at: string;
}

/** Where the page reads drift from. */
export interface DriftSource {
  /** The newest PSI per (category, feature) of `model` within `days` before `now`. */
  latest(model: string, now: Date, days: number): Promise<DriftValue[]>;
}

const DAY_S = 86_400;
/** GetMetricData takes at most 500 queries per call. */
const QUERIES_PER_CALL = 500;

/** Drift from CloudWatch metrics (namespace METRICS.namespace), with the user's credentials. */
export class CloudWatchDriftSource implements DriftSource {
  constructor(private readonly cloudwatch: CloudWatchClient) {}

  async latest(model: string, now: Date, days: number): Promise<DriftValue[]> {
    const D = METRICS.dimensions;
    const series: Metric[] = [];
    for (const name of [METRICS.predictionDrift, METRICS.featureDrift]) {
      let token: string | undefined;
      do {
        const page = await this.cloudwatch.send(new ListMetricsCommand({
          Namespace: METRICS.namespace, MetricName: name, Dimensions: [{ Name: D.model, Value: model }], NextToken: token,
        }));
        // The per-category series only: the [Model] and [Model, Feature] sets are the alarms' worst-of.
        series.push(...(page.Metrics ?? []).filter((m) => m.Dimensions?.some((d) => d.Name === D.category)));
        token = page.NextToken;
      } while (token);
    }
    const out: DriftValue[] = [];
    for (let i = 0; i < series.length; i += QUERIES_PER_CALL) {
      const chunk = series.slice(i, i + QUERIES_PER_CALL);
      const res = await this.cloudwatch.send(new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - days * DAY_S * 1000), EndTime: now, ScanBy: 'TimestampDescending',
        MetricDataQueries: chunk.map((metric, j) => ({ Id: `d${j}`, MetricStat: { Metric: metric, Period: DAY_S, Stat: 'Maximum' }, ReturnData: true })),
      }));
      for (const r of res.MetricDataResults ?? []) {
        const metric = chunk[Number(r.Id!.slice(1))];
        const dim = (name: string) => metric.Dimensions?.find((d) => d.Name === name)?.Value;
        if (!r.Values?.length || !r.Timestamps?.length) continue;
        out.push({ category: dim(D.category)!, feature: dim(FEATURE_DIMENSION) ?? null, psi: r.Values[0], at: r.Timestamps[0].toISOString() });
      }
    }
    return out.sort((a, b) => a.category.localeCompare(b.category) || (a.feature ?? '').localeCompare(b.feature ?? ''));
  }
}
