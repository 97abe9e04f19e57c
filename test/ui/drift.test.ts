// The model page's drift source reads CloudWatch over its own wire protocol (JSON 1.0 with
// X-Amz-Target): a small loopback server answers ListMetrics and GetMetricData as CloudWatch
// does, with the series drift-compute publishes (lambda/shared/monitoring/emf.ts).
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { METRICS } from '../../lambda/shared/contract';
import { CloudWatchDriftSource } from '../../cli/ui/drift';

const NOW = new Date('2026-11-29T12:00:00Z');
const dims = (o: Record<string, string>) => Object.entries(o).map(([Name, Value]) => ({ Name, Value }));
/** The series in CloudWatch: per category, and the alarms' worst-of sets ([Model], [Model, Feature]). */
const METRIC_LIST: Record<string, Array<{ Dimensions: Array<{ Name: string; Value: string }> }>> = {
  [METRICS.predictionDrift]: [
    { Dimensions: dims({ Model: 'demand', Category: 'books' }) },
    { Dimensions: dims({ Model: 'demand' }) },
  ],
  [METRICS.featureDrift]: [
    { Dimensions: dims({ Model: 'demand', Category: 'books', Feature: 'units' }) },
    { Dimensions: dims({ Model: 'demand', Category: 'garden', Feature: 'units' }) },
    { Dimensions: dims({ Model: 'demand', Feature: 'units' }) },
  ],
};
/** Newest first (ScanBy TimestampDescending): [epoch seconds, value]. */
const VALUES: Record<string, Array<[number, number]>> = {
  'PredictionDriftPSI/books/': [[Date.parse('2026-11-29T03:00:00Z') / 1000, 0.31], [Date.parse('2026-11-28T03:00:00Z') / 1000, 0.12]],
  'FeatureDriftPSI/books/units': [[Date.parse('2026-11-29T03:00:00Z') / 1000, 0.04]],
  'FeatureDriftPSI/garden/units': [],
};

let server: Server;
let endpoint: string;
const calls: Array<{ operation: string; input: any }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target']).split('.')[1];
      const input = JSON.parse(body || '{}');
      calls.push({ operation, input });
      let out: unknown;
      if (operation === 'ListMetrics') {
        const model = input.Dimensions?.find((d: any) => d.Name === 'Model')?.Value;
        out = { Metrics: (METRIC_LIST[input.MetricName] ?? []).filter((m) => m.Dimensions.some((d) => d.Name === 'Model' && d.Value === model))
          .map((m) => ({ Namespace: input.Namespace, MetricName: input.MetricName, Dimensions: m.Dimensions })) };
      } else {
        out = { MetricDataResults: input.MetricDataQueries.map((q: any) => {
          const d = (n: string) => q.MetricStat.Metric.Dimensions.find((x: any) => x.Name === n)?.Value ?? '';
          const points = VALUES[`${q.MetricStat.Metric.MetricName}/${d('Category')}/${d('Feature')}`] ?? [];
          return { Id: q.Id, Label: q.MetricStat.Metric.MetricName, StatusCode: 'Complete', Timestamps: points.map((p) => p[0]), Values: points.map((p) => p[1]) };
        }) };
      }
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

test('the newest PSI per category of the prediction and of each feature; the worst-of series are skipped', async () => {
  const cloudwatch = new CloudWatchClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const values = await new CloudWatchDriftSource(cloudwatch).latest('demand', NOW, 14);
  expect(values).toEqual([
    { category: 'books', feature: null, psi: 0.31, at: '2026-11-29T03:00:00.000Z' },
    { category: 'books', feature: 'units', psi: 0.04, at: '2026-11-29T03:00:00.000Z' },
  ]);
  const query = calls.find((c) => c.operation === 'GetMetricData')!.input;
  expect(query.MetricDataQueries).toHaveLength(3);
  expect(query.ScanBy).toBe('TimestampDescending');
  expect(new Date(query.StartTime * 1000).toISOString()).toBe('2026-11-15T12:00:00.000Z');
  expect(calls.filter((c) => c.operation === 'ListMetrics').map((c) => c.input.MetricName)).toEqual([METRICS.predictionDrift, METRICS.featureDrift]);
});
