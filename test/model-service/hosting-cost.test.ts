// The cost model bills fargate hosting: the model's x86_64 tasks at the declared size (average
// load's count all month, maxTasks in the peak windows) and its internal load balancer.
import { PlatformCost, pricesFor } from '../../lib/cost';
import { fargateHostingLines } from '../../lib/cost/model-hosting';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';

function spec(inference: Record<string, unknown>): ModelSpec {
  const { spec: s, problems } = parseModelSpecObject({
    name: 'online-model', description: 'online model', owner: 'ds@example.com',
    training: { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/demand:1' }, evaluation: { metric: 'rmse' },
    inference: { rules: { fallback: [{ name: 'default', prediction: 0 }] }, ...inference },
  }, { file: 'models/online-model/model.yaml' });
  if (!s || problems.length) throw new Error(JSON.stringify(problems));
  return s;
}
const prices = pricesFor('us-east-1');
const fargate = { command: ['python3', 'serve.py'], cpu: 1024, memoryMiB: 2048, tasks: 2, maxTasks: 5, tpsPerTask: 100 };

test('bills the tasks at the average load\'s count, maxTasks in the peak windows, and the internal ALB', () => {
  // 300 TPS at 100 a task: 3 tasks; a daily 2 h window (+15 min lead) at 5 tasks.
  const lines = fargateHostingLines(spec({ mode: 'online', hosting: 'fargate', fargate, tps: { min: 100, avg: 300, max: 500 }, peakWindows: [{ start: '08:00', duration: '2h', tps: 500 }] }), prices);
  const peakHours = 2.25 * 730 / 24;
  const taskHours = 3 * 730 + 2 * peakHours;
  expect(lines.map((l) => l.group)).toEqual(['hosting', 'hosting', 'hosting']);
  expect(lines[0]).toMatchObject({ item: 'Fargate model tasks (1 vCPU, 2 GB, x86_64): 3 all month, 5 in peak windows' });
  expect(lines[0].usd).toBeCloseTo(taskHours * (0.04048 + 2 * 0.004445), 6);
  expect(lines[1].usd).toBeCloseTo(730 * 0.0225, 6);
  expect(lines[2].usd).toBeCloseTo(300 * 730 * 3600 * 1024 / 1e9 * 0.008, 6);
});

test('the task count stays between the declared tasks and maxTasks', () => {
  const low = fargateHostingLines(spec({ mode: 'online', hosting: 'fargate', fargate, tps: { min: 1, avg: 1, max: 2 } }), prices);
  expect(low[0].item).toMatch(/: 2 all month, 2 in peak windows/);
  const high = fargateHostingLines(spec({ mode: 'online', hosting: 'fargate', fargate, tps: { min: 100, avg: 900, max: 1000 } }), prices);
  expect(high[0].item).toMatch(/: 5 all month, 5 in peak windows/);
});

test('SageMaker hosting and batch models get no hosting line; a fargate model\'s bill has it', () => {
  expect(fargateHostingLines(spec({ mode: 'online' }), prices)).toEqual([]);
  expect(fargateHostingLines(spec({ mode: 'batch' }), prices)).toEqual([]);
  const bill = new PlatformCost({ models: [spec({ mode: 'both', hosting: 'fargate', fargate })] });
  expect(bill.lines.filter((l) => l.scope === 'online-model' && l.group === 'hosting')).toHaveLength(3);
});
