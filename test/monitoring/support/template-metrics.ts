// The metric series a synthesized template reads: every alarm's metric (single or inside
// metric math) and every dashboard graph line.
import { MetricSeries } from './lambda-log-stream';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

/** Where a series is read, for readable failures. */
export interface ReadSeries extends MetricSeries {
  readonly readBy: string;
}

interface CfnMetric { Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: unknown }> }

function fromCfn(m: CfnMetric, readBy: string): ReadSeries {
  return {
    namespace: m.Namespace,
    metricName: m.MetricName,
    dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, typeof d.Value === 'string' ? d.Value : JSON.stringify(d.Value)])),
    readBy,
  };
}

/** Series read by alarms (`readBy` = the alarm name). */
export function alarmSeries(template: { Resources: Resources }): ReadSeries[] {
  const out: ReadSeries[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
    const p = r.Properties;
    const name = typeof p.AlarmName === 'string' ? p.AlarmName : id;
    if (p.MetricName) out.push(fromCfn(p as CfnMetric, name));
    for (const q of (p.Metrics ?? []) as Array<{ MetricStat?: { Metric: CfnMetric } }>) {
      if (q.MetricStat) out.push(fromCfn(q.MetricStat.Metric, name));
    }
  }
  return out;
}

/** The dashboard body with every token replaced by "TOKEN" (tokens only ever sit inside JSON strings). */
export function dashboardBodies(template: { Resources: Resources }): Array<{ widgets: Array<{ properties: Record<string, any> }> }> {
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Dashboard')
    .map((r) => {
      const body = r.Properties.DashboardBody;
      const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
      return JSON.parse(text);
    });
}

/** Series drawn by dashboard graphs (`readBy` = the widget title). */
export function dashboardSeries(template: { Resources: Resources }): ReadSeries[] {
  const out: ReadSeries[] = [];
  for (const body of dashboardBodies(template)) {
    for (const w of body.widgets) {
      for (const line of (w.properties.metrics ?? []) as unknown[][]) {
        if (typeof line[0] !== 'string') continue; // a math expression: its inputs are lines of their own
        const plain = line.filter((x) => typeof x === 'string') as string[];
        const [namespace, metricName, ...dims] = plain;
        const dimensions: Record<string, string> = {};
        for (let i = 0; i + 1 < dims.length; i += 2) dimensions[dims[i]] = dims[i + 1];
        out.push({ namespace, metricName, dimensions, readBy: `dashboard widget "${w.properties.title}"` });
      }
    }
  }
  return out;
}
