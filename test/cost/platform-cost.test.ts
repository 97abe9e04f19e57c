import { join } from 'node:path';
import { PlatformCost, pricesFor } from '../../lib/cost';
import { runsPerMonth } from '../../lib/cost/model-cost';
import { NetworkProvisioning } from '../../lib/platform/platform-network';
import { ModelSpec, ServingFrontEnd } from '../../lib/spec';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { specWith } from '../spec/fixtures';

const EXAMPLE = join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml');
const example = loadModelSpec(EXAMPLE);

/** The example model under another name (a team's further models). */
function copy(name: string) {
  return { ...example, name, inference: { ...example.inference, serviceName: name } };
}

describe('the reference scenario bill', () => {
  const cost = new PlatformCost({ models: [example] });

  test('one model at 100 / 300 / 1000 TPS with its peaks costs at most $350 a month', () => {
    expect(cost.totalUsd).toBeGreaterThan(100);
    expect(cost.totalUsd).toBeLessThanOrEqual(350);
  });

  test('covers serving, DynamoDB, training, scoring, storage, network, monitoring, ingestion and keys', () => {
    expect(new Set(cost.lines.map((l) => l.group))).toEqual(new Set(['serving', 'store', 'training', 'scoring', 'storage', 'network', 'monitoring', 'ingestion', 'keys']));
    expect(cost.lines.map((l) => l.item)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Fargate tasks .* 2 all month, 4 in peak windows$/),
      expect.stringMatching(/^DynamoDB reads/), expect.stringMatching(/^DynamoDB writes/),
    ]));
  });

  test('Fargate task-hours: 2 tasks all month plus 2 more in the peak windows with their 15 min lead', () => {
    // 08:00-10:00 daily and 18:00-19:30 on weekdays, each + 0.25 h.
    const peakHours = (2.25 * 7 + 1.75 * 5) * (730 / 168);
    const fargate = cost.lines.find((l) => l.item.startsWith('Fargate'))!;
    const taskHour = 0.5 * 0.03238 + 1 * 0.00356;
    expect(fargate.usd).toBeCloseTo((2 * 730 + 2 * peakHours) * taskHour, 6);
  });

  test('training is priced per run, category and Spot share; scoring On-Demand', () => {
    const training = cost.lines.find((l) => l.group === 'training')!;
    const hours = (730 / 24) * 3 * (20 / 60);
    expect(training.usd).toBeCloseTo(hours * 0.115 * (1 - 0.9 * 0.7) + hours * 5 * (0.14 / 730), 6);
    const onDemand = new PlatformCost({ models: [{ ...example, training: { ...example.training, spot: false } }] });
    expect(onDemand.lines.find((l) => l.group === 'training')!.usd).toBeGreaterThan(training.usd * 2);
  });
});

describe('what drives the bill', () => {
  test('storage grows with the month of operation and the declared daily data size', () => {
    const storage = (c: PlatformCost) => c.lines.filter((l) => l.group === 'storage').reduce((s, l) => s + l.usd, 0);
    const month1 = storage(new PlatformCost({ models: [example], monthOfOperation: 1 }));
    const month12 = storage(new PlatformCost({ models: [example], monthOfOperation: 12 }));
    expect(month12).toBeGreaterThan(month1);
    const big = specWith({ data: { dailySize: '20GiB' } });
    expect(big.data.dailySizeGiB).toBe(20);
    expect(storage(new PlatformCost({ models: [big] }))).toBeGreaterThan(storage(new PlatformCost({ models: [specWith({})] })) * 5);
  });

  test('data.dailySize defaults to 1 GiB and rejects a size without a unit, naming the field', () => {
    expect(specWith({}).data.dailySizeGiB).toBe(1);
    expect(() => specWith({ data: { dailySize: 5 } })).toThrow(/"path":"data\.dailySize","value":5,.*"fix":"add a unit: \\"5GiB\\""/);
  });

  test('runs come from the schedule: daily, hourly, weekdays, paused', () => {
    expect(runsPerMonth(specWith({}))).toBeCloseTo(730 / 24, 6);
    expect(runsPerMonth(specWith({ schedule: { cron: '0 * * * *' } }))).toBeCloseTo(730, 6);
    expect(runsPerMonth(specWith({ schedule: { cron: '0 3 * * MON-FRI' } }))).toBeCloseTo((730 / 24) * (5 / 7), 1);
    expect(runsPerMonth(specWith({ schedule: { enabled: false } }))).toBe(0);
  });

  test('six models share one network: the endpoints are billed once', () => {
    const six = new PlatformCost({ models: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map(copy) });
    const one = new PlatformCost({ models: [example] });
    expect(six.lines.filter((l) => l.group === 'network')).toHaveLength(1);
    expect(six.scopeUsd('platform')).toBeCloseTo(one.scopeUsd('platform'), 6);
    expect(six.totalUsd).toBeCloseTo(one.scopeUsd('platform') + 6 * one.scopeUsd('demand-forecast'), 6);
  });

  test('the network is billed as the platform creates it: up front with all 6 endpoints, whatever the models', () => {
    const gpu = specWith({ training: { backend: 'batch', instanceType: 'g5.xlarge', maxVcpus: 8, command: ['python3', 'train.py'] } }, 'gpu');
    const batchOnly = specWith({ inference: { serving: 'none' } });
    for (const models of [[], [batchOnly], [example], [example, gpu]]) {
      const network = new PlatformCost({ models }).lines.find((l) => l.group === 'network')!;
      expect(network.item).toMatch(/^interface endpoints \(ecr\.api, ecr\.dkr, logs, ecs, ecs-agent, ecs-telemetry\) in 2 AZs/);
      expect(network.usd).toBeCloseTo(6 * 2 * 730 * 0.01, 6);
    }
  });

  test('network ON_DEMAND: no endpoints without a networked model; ECR and Logs for a service; the ECS agent\'s with a Batch model', () => {
    const gpu = specWith({ training: { backend: 'batch', instanceType: 'g5.xlarge', maxVcpus: 8, command: ['python3', 'train.py'] }, inference: { serving: 'api' } }, 'gpu');
    const onDemand = (models: ModelSpec[]) => new PlatformCost({ models, network: NetworkProvisioning.ON_DEMAND }).lines.find((l) => l.group === 'network');
    expect(onDemand([specWith({ inference: { serving: 'none' } })])).toBeUndefined();
    expect(onDemand([example])!.item).toMatch(/^interface endpoints \(ecr\.api, ecr\.dkr, logs\)/);
    expect(onDemand([gpu])!.item).toMatch(/^interface endpoints \(ecr\.api, ecr\.dkr, logs, ecs, ecs-agent, ecs-telemetry\)/);
  });

  test('a batch-only model (serving none) pays no serving and no reads', () => {
    const batchOnly = specWith({ inference: { serving: 'none' } });
    const lines = new PlatformCost({ models: [batchOnly] }).lines;
    expect(lines.filter((l) => l.group === 'serving' || l.item.startsWith('DynamoDB reads'))).toEqual([]);
  });

  test('prices differ per region; an unknown region or instance type names the value and the fix', () => {
    const eu = new PlatformCost({ models: [example], region: 'eu-west-1' });
    expect(eu.totalUsd).toBeGreaterThan(new PlatformCost({ models: [example] }).totalUsd);
    expect(() => new PlatformCost({ models: [example], region: 'mars-1' })).toThrow(/region must be one the price table covers \(us-east-1, eu-west-1\), but "mars-1" was provided/);
    const odd = specWith({ training: { instanceType: 'ml.x9.huge' } });
    expect(() => new PlatformCost({ models: [odd] })).toThrow(/training\.instanceType "ml\.x9\.huge" has no price in lib\/cost\/prices\.ts/);
    expect(() => new PlatformCost({ models: [example], monthOfOperation: 0 })).toThrow(/monthOfOperation must be a whole number from 1 to 120, but 0 was provided/);
    expect(pricesFor('eu-west-1').lambdaArmGbSecond).toBe(pricesFor('us-east-1').lambdaArmGbSecond);
  });

  test('an API front end with peak windows pays for the provisioned concurrency the platform schedules in them', () => {
    const api = { ...example, inference: { ...example.inference, serving: ServingFrontEnd.API } };
    const pc = new PlatformCost({ models: [api] }).lines.find((l) => l.item.startsWith('Lambda provisioned concurrency'))!;
    // ceil(1000 TPS x 0.3 s p95) = 300 executions of 1 GB, in 106 peak hours a month.
    expect(pc.item).toMatch(/\(300\)$/);
    expect(pc.usd).toBeCloseTo(300 * ((2.25 * 7 + 1.75 * 5) * (730 / 168)) * 3600 * 0.0000033334, 6);
  });

  test('the front-end comparison records both options and the cheaper one', () => {
    const [f] = new PlatformCost({ models: [example] }).frontEnds;
    expect(f).toMatchObject({ model: 'demand-forecast', serving: ServingFrontEnd.SERVICE, cheaper: ServingFrontEnd.SERVICE });
    expect(f.apiUsd).toBeGreaterThan(f.serviceUsd);
  });
});
