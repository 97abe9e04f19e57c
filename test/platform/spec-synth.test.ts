import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RUN_AGE_METRICS } from '../../lambda/shared/monitoring/run-age';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { specPropProblems } from '../../lib/platform/validate-spec-props';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { nagFindings, testApp } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const FALLBACK = { fallback: [{ name: 'default', prediction: 0 }] };

function load(name: string, extra: Record<string, unknown>) {
  const raw = {
    name, description: `${name} model`, owner: 'ds@example.com', categories: ['a', 'b'],
    training: { image: 'public.ecr.aws/docker/library/python:3.12-slim' }, evaluation: { metric: 'rmse' },
    ...extra,
    inference: { mode: 'batch', rules: FALLBACK, ...(extra.inference as object) },
  };
  return parseModelSpecObject(raw, { file: `models/${name}/model.yaml` });
}

function spec(name: string, extra: Record<string, unknown>): ModelSpec {
  const { spec: s, problems } = load(name, extra);
  if (!s) throw new Error(JSON.stringify(problems));
  return s;
}

// Each of these threw inside a construct before the loader ran the constructs' validators.
const FORMERLY_CRASHING = () => [
  spec('weekly', { schedule: { cron: '0 1 * * SUN' }, inference: { ttl: '9d', serving: 'none' } }),
  spec('monthly', { schedule: { cron: '0 3 1 * *' }, inference: { ttl: '33d', serving: 'none' }, acknowledge: [{ id: 'MLOPS-ScheduleMeetsRpo', reason: 'monthly retraining; predictions may rest on month-old data' }] }),
  spec('short-ttl', { inference: { ttl: '2d', serving: 'none' } }),
  spec('api-peaks', { inference: { serving: 'api', peakWindows: [{ start: '08:00', duration: '2h', tps: 900 }] } }),
  spec('quiet-peaks', { inference: { tps: { min: 1, avg: 10, max: 60 }, peakWindows: [{ start: '0 18 * * MON-FRI', duration: '1h', tps: 50 }] } }),
];

describe('every spec the loader accepts synthesizes', () => {
  test('weekly and monthly schedules, a 2-day TTL and Lambda API peaks synthesize in an env-specific stack with no nag finding', () => {
    // A stack per model, as the default app lays them out (all in one stack pass 500 resources).
    expect(nagFindings((app) => { new MlopsPlatformStacks(app, { models: FORMERLY_CRASHING(), stackProps: { env: ENV } }); })).toEqual([]);
  });

  test('a missed weekly or monthly run is watched through the hours since the last success, beyond the 7-day alarm window', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    new MlopsPlatform(stack, 'Platform', { models: FORMERLY_CRASHING().slice(0, 2) });
    const t = Template.fromStack(stack);
    const ageAlarm = (model: string, metric: string, hours: number) => t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metric, Namespace: 'CdkMlops', Dimensions: [{ Name: 'Model', Value: model }], Threshold: hours, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'breaching',
    });
    ageAlarm('weekly', RUN_AGE_METRICS.training, 7 * 24 + 6);
    ageAlarm('monthly', RUN_AGE_METRICS.training, 31 * 24 + 6);
    ageAlarm('monthly', RUN_AGE_METRICS.batchInference, 31 * 24 + 6);
    t.resourcePropertiesCountIs('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('hours since a training pipeline') }, 1);
    const hourly = Object.values(t.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(1 hour)' } })).map((r) => JSON.stringify(r));
    expect(hourly.filter((r) => r.includes(RUN_AGE_METRICS.training))).toHaveLength(2);
    expect(hourly.filter((r) => r.includes(RUN_AGE_METRICS.batchInference))).toHaveLength(2);
  });

  test('a 2-day TTL on a daily schedule escalates one hour after the missed-batch warning', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    new MlopsPlatform(stack, 'Platform', { models: [FORMERLY_CRASHING()[2]] });
    const periods = (id: string) => Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
      .filter((a) => String(a.Properties.AlarmName ?? '').includes(id) || JSON.stringify(a).includes(id)).map((a) => a.Properties.EvaluationPeriods);
    expect(periods('PredictionsStaleWarning-a')).toContain(30);
    expect(periods('PredictionsStaleCritical-a')).toContain(31);
  });

  test('the Lambda API gets provisioned concurrency for its peak windows (peak TPS x p95)', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    new MlopsPlatform(stack, 'Platform', { models: [FORMERLY_CRASHING()[3]] });
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MaxCapacity: 270, ScheduledActions: Match.arrayWith([Match.objectLike({ ScalableTargetAction: { MinCapacity: 270, MaxCapacity: 270 } })]),
    });
  });
});

describe('a spec the platform cannot build is rejected at load, at its field', () => {
  test.each([
    ['a data location outside the model prefix', { data: { location: 's3://elsewhere/data/' } }, 'data.location', /training reads s3:\/\/<datasets bucket>\/m1\//],
    ['no traffic for a Lambda API', { inference: { serving: 'api', tps: { min: 0, avg: 0, max: 0 } } }, 'inference.tps.max', /maxTps must be a positive number/],
    ['no minimum traffic for a service', { inference: { serving: 'service', tps: { min: 0, avg: 100, max: 200 } } }, 'inference.tps.min', /minTps must be a positive number/],
    ['a TTL beyond what the predictions table keeps', { inference: { ttl: '100d', serving: 'none' } }, 'inference.ttl', /at most 90d/],
    ['a vCPU cap below one job', { training: { image: 'repo/x:1', backend: 'batch', instanceType: 'g5.xlarge', maxVcpus: 2, command: ['python3', 'train.py'] }, inference: { serving: 'none' } }, 'training.maxVcpus', />= 4/],
    ['more categories than one alarm combines', { categories: Array.from({ length: 11 }, (_, i) => `c${i}`), inference: { serving: 'none' } }, 'categories', /at most 10/],
  ])('%s', (_what, extra, path, expected) => {
    const { spec: s, problems } = load('m1', extra);
    expect(s).toBeUndefined();
    expect(problems.map((p) => p.path)).toContain(path);
    expect(problems.find((p) => p.path === path)!.expected).toMatch(expected);
  });

  test('the schema and the constructs agree: each construct limit is reported at its spec field', () => {
    const good = spec('m1', { training: { image: 'repo/x:1', backend: 'batch', instanceType: 'g5.xlarge', command: ['python3', 'train.py'] }, inference: { serving: 'none' } });
    const at = (s: ModelSpec) => specPropProblems(s).map((p) => [p.path, p.expected]);
    expect(at(good)).toEqual([]);
    expect(at({ ...good, training: { ...good.training, retries: 10 } })).toEqual([
      ['training.retries', expect.stringMatching(/trainingAttempts must be a whole number between 1 and 10/)],
      ['training.retries', expect.stringMatching(/spotAttempts must be a whole number between 1 and 10/)],
    ]);
    expect(at({ ...good, inference: { ...good.inference, ttlSeconds: 100 * 86400 } })).toEqual([['inference.ttl', expect.stringMatching(/predictionTtl must be between 1 hour and 90 days/)]]);
    expect(at({ ...good, training: { ...good.training, maxVcpus: 2 } })).toEqual([['training.maxVcpus', expect.stringMatching(/vcpus \(4\) is more than the compute environment's maxvCpus \(2\)/)]]);
    expect(at({ ...good, categories: Array.from({ length: 11 }, (_, i) => `c${i}`) }).map(([p]) => p)).toEqual(expect.arrayContaining(['categories']));
  });

  test('a hand-built spec the loader would reject fails the construct with the same problem list', () => {
    const good = spec('m1', { inference: { serving: 'none' } });
    const bad: ModelSpec = { ...good, data: { ...good.data, location: 'elsewhere/', external: false } };
    expect(() => new MlopsPlatform(new Stack(testApp(), 'S'), 'Platform', { models: [bad] })).toThrow(/models\/m1\/model.yaml: data.location: "elsewhere\/" is invalid/);
  });
});
