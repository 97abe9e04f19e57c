import fc from 'fast-check';
import { ConflictError, MAX_SERIES_POINTS, ModelRegistryClient, REGISTRY_SCHEMA, ValidationError, parseMetricSeries } from '../../lambda/shared/registry';
import { thin } from '../../lambda/shared/registry/metric-series';
import { createLocalTable, localDoc } from '../support/dynamo';

describe('metric series (metrics.jsonl)', () => {
  test('any file parses without throwing; kept points are finite, in step order and within the cap', () => {
    const line = fc.oneof(
      fc.record({ step: fc.integer({ min: -5, max: 5000 }), rmse: fc.double(), mae: fc.double({ noNaN: true }) }).map((o) => JSON.stringify(o)),
      fc.string(),
      fc.constant('{"step": "3", "rmse": 1}'),
      fc.constant('[1,2]'),
    );
    fc.assert(fc.property(fc.array(line, { maxLength: 1500 }), (lines) => {
      const s = parseMetricSeries(lines.join('\n'));
      for (const points of Object.values(s.metrics)) {
        expect(points.length).toBeLessThanOrEqual(MAX_SERIES_POINTS);
        expect(points.every(([step, v]) => Number.isFinite(step) && Number.isFinite(v))).toBe(true);
        expect(points.map(([step]) => step)).toEqual([...points.map(([step]) => step)].sort((a, b) => a - b));
      }
      const kept = Object.values(s.metrics).reduce((n, p) => n + p.length, 0);
      expect(kept <= s.points).toBe(true);
      if (s.complete) expect(kept).toBe(s.points);
    }), { examples: [[['{"step":2247,"rmse":0,"mae":0}', '{"step":2247,"rmse":0,"mae":0}']]] }); // found by CI (seed 1496972346): a step written twice
  });

  test('a long series is thinned to the cap keeping the first and last points, and marked incomplete', () => {
    const text = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ step: i, loss: 1 / (i + 1) })).join('\n');
    const s = parseMetricSeries(text);
    expect(s.metrics.loss).toHaveLength(MAX_SERIES_POINTS);
    expect(s.metrics.loss[0]).toEqual([0, 1]);
    expect(s.metrics.loss[MAX_SERIES_POINTS - 1]).toEqual([1999, 1 / 2000]);
    expect(s).toMatchObject({ points: 2000, complete: false, skippedLines: 0 });
  });

  test('thin keeps min(n, max) points including both ends', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 2, max: 600 }), (n, max) => {
      const pts = Array.from({ length: n }, (_, i) => [i, i] as [number, number]);
      const out = thin(pts, max);
      expect(out).toHaveLength(Math.min(n, max));
      if (n > 0) { expect(out[0]).toEqual(pts[0]); expect(out[out.length - 1]).toEqual(pts[n - 1]); }
    }));
  });

  test('a step written twice (a resumed job) keeps the last value and counts once; non-numeric values and bad lines are skipped', () => {
    const s = parseMetricSeries('{"step":1,"rmse":3}\n{"step":1,"rmse":2,"note":"x"}\n\nnot json\n{"rmse":1}\n{"step":2,"rmse":null}');
    expect(s).toEqual({ metrics: { rmse: [[1, 2]] }, points: 1, complete: true, skippedLines: 2 });
  });
});

describe('run tags and notes (DynamoDB Local)', () => {
  let registry: ModelRegistryClient;
  let clock = Date.parse('2026-11-20T02:00:00Z');
  beforeAll(async () => {
    const tableName = await createLocalTable('run-tags', REGISTRY_SCHEMA);
    registry = new ModelRegistryClient({ tableName, doc: localDoc(), now: () => new Date(clock += 1000) });
    await registry.startRun({ runId: 'run-a', model: 'demand', category: 'books' });
    await registry.finishRun({ runId: 'run-a', status: 'SUCCEEDED', metrics: { rmse: 1 }, metricSeries: parseMetricSeries('{"step":1,"rmse":2}\n{"step":2,"rmse":1}') });
  });

  test('the series is stored on the finished run', async () => {
    expect((await registry.getRun('run-a'))?.metricSeries?.metrics.rmse).toEqual([[1, 2], [2, 1]]);
  });

  test('concurrent tags all land; an empty value removes a tag', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => registry.tagRun({ runId: 'run-a', tags: { [`k${i}`]: `v${i}` } })));
    const run = await registry.tagRun({ runId: 'run-a', tags: { k0: '', best: 'yes' } });
    expect(Object.keys(run.tags ?? {}).sort()).toEqual(['best', ...Array.from({ length: 9 }, (_, i) => `k${i + 1}`)].sort());
  });

  test('bad tags are refused naming the field and the fix; an unknown run is not found', async () => {
    await expect(registry.tagRun({ runId: 'run-a', tags: { '1bad': 'x' } })).rejects.toThrow(ValidationError);
    await expect(registry.tagRun({ runId: 'run-a', tags: {} })).rejects.toThrow(/name=value/);
    await expect(registry.tagRun({ runId: 'run-nope', tags: { a: 'b' } })).rejects.toThrow(/run run-nope/);
  });

  test('notes append in order with who and when; concurrent notes are all kept; the cap is a conflict', async () => {
    await registry.startRun({ runId: 'run-n', model: 'demand', category: 'books' });
    await Promise.all(Array.from({ length: 5 }, (_, i) => registry.addRunNote({ runId: 'run-n', text: `note ${i}`, actor: 'ana' })));
    let run = await registry.getRun('run-n');
    expect(run?.notes?.map((n) => n.text).sort()).toEqual(['note 0', 'note 1', 'note 2', 'note 3', 'note 4']);
    expect(run?.notes?.every((n) => n.actor === 'ana' && !Number.isNaN(Date.parse(n.at)))).toBe(true);
    for (let i = 5; i < 100; i++) await registry.addRunNote({ runId: 'run-n', text: `n${i}`, actor: 'ana' });
    await expect(registry.addRunNote({ runId: 'run-n', text: 'one too many', actor: 'ana' })).rejects.toThrow(ConflictError);
    run = await registry.getRun('run-n');
    expect(run?.notes).toHaveLength(100);
    await expect(registry.addRunNote({ runId: 'run-n', text: '  ', actor: 'ana' })).rejects.toThrow(/1 to 2,000/);
  });
});
