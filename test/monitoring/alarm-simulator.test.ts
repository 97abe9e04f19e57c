// Every alarm of the synthesized platform run through a CloudWatch alarm simulator: a healthy
// week, a week of silence, and for each alarm the failure it exists for. Times are minutes from
// an arbitrary day 0 at 00:00 (nothing depends on today's date).
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { METRICS } from '../../lambda/shared/contract';
import { INGESTION_METRICS } from '../../lambda/shared/ingestion/constants';
import { MlopsPlatformStack } from '../../lib/platform/mlops-platform-stack';
import { loadModelSpec, parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';
import { AlarmSimulation, MetricRef, Transition, World, stateAt } from './support/alarm-simulator';

// The example model (ALB + Fargate, ingesting daily) and a small one behind the HTTP API + Lambda front end.
const spec = loadModelSpec(join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml'));
const small = parseModelSpecObject({
  name: 'small', description: 'small model', owner: 'ds@example.com', categories: ['a', 'b'],
  training: { image: 'public.ecr.aws/docker/library/python:3.12-slim' },
  evaluation: { metric: 'rmse' },
  inference: { mode: 'batch', serving: 'api', rules: { fallback: [{ name: 'default', prediction: 0 }] } },
}, { file: 'models/small/model.yaml' }).spec!;
const template = Template.fromStack(new MlopsPlatformStack(testApp(), 'Sim', { models: [spec, small] })).toJSON() as ConstructorParameters<typeof AlarmSimulation>[0];
const MODEL = spec.name;
const CATEGORIES = [...spec.categories!, ...small.categories!];
const HOUR = 60;
const DAY = 24 * HOUR;

const isTraining = (m: MetricRef) => (m.dimensions.StateMachineArn ?? '').includes('Training');
const isIngestion = (m: MetricRef) => (m.dimensions.StateMachineArn ?? '').includes('Ingestion');
const isRetrain = (m: MetricRef) => (m.dimensions.FunctionName ?? '').includes('Retrain');
const isLatency = (m: MetricRef) => m.metricName === 'TargetResponseTime' || (m.metricName === 'Latency' && m.namespace === 'AWS/ApiGateway');
/** Latency samples in the unit of the front end: seconds at the load balancer, milliseconds at the API. */
const inUnit = (m: MetricRef, seconds: number[]) => (m.metricName === 'TargetResponseTime' ? seconds : seconds.map((x) => x * 1000));
const at = (minute: number, hhmm: number) => ((minute % DAY) + DAY) % DAY === hhmm;

/** Latency samples of one minute: mostly fast, a slow tail well inside the SLO. */
const latencies = (slowShare: number, slow: number) => Array.from({ length: 100 }, (_, i) => (i < slowShare * 100 ? slow : i % 10 === 0 ? 0.12 : 0.03));

/**
 * A healthy day of the example model: ingestion of the day before at 00:05, training 02:00-04:00, batch inference loads every category
 * at 05:00 and computes drift, 300 requests per second all day with a few 5xx and fallbacks,
 * two tasks running, an occasional throttled request.
 */
const healthy: World = (m, minute) => {
  switch (m.metricName) {
    case 'ExecutionsSucceeded': return at(minute, isIngestion(m) ? 5 : isTraining(m) ? 4 * HOUR : 5 * HOUR + 10) ? [1] : [];
    case INGESTION_METRICS.emptyDeliveries: return at(minute, 5) ? [0] : [];
    case 'ExecutionTime': return isTraining(m) && at(minute, 4 * HOUR) ? [2 * 3600_000] : [];
    case 'ExecutionsFailed': case 'ExecutionsTimedOut': case 'ExecutionsAborted': return [];
    case METRICS.evaluatedMetric: return at(minute, 3 * HOUR + 50) ? [30] : [];
    case METRICS.runsFailed: return [];
    case `${MODEL}-TrainingJobsFailed`: case `${small.name}-TrainingJobsFailed`: return [];
    case METRICS.predictionsGeneratedAt: return at(minute, 5 * HOUR) ? [minute * 60] : [];
    case METRICS.predictionsFailed: return at(minute, 5 * HOUR) ? [0] : [];
    case 'Errors': return !isRetrain(m) && at(minute, 5 * HOUR) ? [0] : [];
    case METRICS.predictionDrift: return at(minute, 5 * HOUR + 5) ? [0.05] : [];
    case 'TargetResponseTime': case 'Latency': return inUnit(m, latencies(0, 0));
    case 'RequestCount': case 'Count': return [18_000];
    case 'HTTPCode_Target_5XX_Count': case '5xx': return minute % 7 === 0 ? [3] : [];
    case 'Throttles': return [];
    case 'HTTPCode_ELB_5XX_Count': return [];
    case METRICS.predictionAnswers: return [18_000];
    case METRICS.fallbackAnswers: return [60];
    case METRICS.productionReadFailures: return [0];
    case 'RunningTaskCount': return [2];
    case 'ReadThrottleEvents': case 'WriteThrottleEvents': return minute % 13 === 0 && !m.dimensions.GlobalSecondaryIndexName ? [1] : [];
    case 'SystemErrors': return [];
    default: throw new Error(`the simulated world does not publish ${m.namespace} ${m.metricName}: add it to the healthy day`);
  }
};

/** A failure: from `start` for `minutes`, `change` replaces what the healthy world publishes. */
interface Failure {
  readonly start: number;
  readonly minutes: number;
  readonly change: (m: MetricRef, minute: number, normal: number[]) => number[];
}

function withFailures(...failures: Failure[]): World {
  return (m, minute) => failures.reduce((samples, f) => (minute >= f.start && minute < f.start + f.minutes ? f.change(m, minute, samples) : samples), healthy(m, minute));
}

const START = 2 * DAY;
const noLoads = (category: string): Failure => ({
  start: START, minutes: 50 * HOUR,
  change: (m, _, s) => (m.metricName === METRICS.predictionsGeneratedAt && m.dimensions.Category === category ? [] : s),
});
const servingFor = (minutes: number, change: Failure['change'], start = START + 10 * HOUR): Failure => ({ start, minutes, change });
const once = (metric: (m: MetricRef) => boolean, value: (normal: number[]) => number[], start = START + 4 * HOUR): Failure => ({
  start, minutes: 1, change: (m, _, s) => (metric(m) ? value(s) : s),
});

/** For each alarm (by the end of its name), the failure it exists for. */
const FAILURES: Record<string, Failure> = {
  TrainingFailed: once((m) => isTraining(m) && m.metricName === 'ExecutionsFailed', () => [1]),
  NoSuccessfulRun: { start: START, minutes: 2 * DAY, change: (m, _, s) => (isTraining(m) && m.metricName === 'ExecutionsSucceeded' ? [] : s) },
  // A run of two days exceeds every budget the example specs derive (the example's is 4 h).
  PipelineDurationOverBudget: once((m) => m.metricName === 'ExecutionTime' && isTraining(m), () => [2 * 24 * 3600_000]),
  ModelQualityBelowThreshold: { start: START, minutes: DAY, change: (m, _, s) => (m.metricName === METRICS.evaluatedMetric && m.dimensions.Category === 'garden' ? s.map(() => 80) : s) },
  ...Object.fromEntries(CATEGORIES.flatMap((c) => [[`PredictionsStaleWarning-${c}`, noLoads(c)], [`PredictionsStaleCritical-${c}`, noLoads(c)]])),
  BatchInferenceFailed: once((m) => !isTraining(m) && !isIngestion(m) && m.metricName === 'ExecutionsFailed', () => [1], START + 5 * HOUR),
  // The ingestion's alarms (DataIngestion names none: matched by construct id, see failureOf).
  MissedDelivery: { start: START, minutes: 2 * DAY, change: (m, _, s) => (isIngestion(m) && m.metricName === 'ExecutionsSucceeded' ? [] : s) },
  // A daily period: the empty window's datapoint is judged at the end of its day.
  EmptyDelivery: { start: START, minutes: DAY, change: (m, _, s) => (m.metricName === INGESTION_METRICS.emptyDeliveries ? s.map(() => 1) : s) },
  FailedDelivery: once((m) => isIngestion(m) && m.metricName === 'ExecutionsFailed', () => [1], START + 5),
  PredictionDrift: once((m) => m.metricName === METRICS.predictionDrift, (s) => s.map(() => 0.4), START + 5 * HOUR + 5),
  LatencyP95AboveSlo: servingFor(10, (m, _, s) => (isLatency(m) ? inUnit(m, latencies(0.1, 0.4)) : s)),
  LatencyP99AboveSlo: servingFor(10, (m, _, s) => (isLatency(m) ? inUnit(m, latencies(0.02, 0.9)) : s)),
  ServerErrorRate: servingFor(10, (m, _, s) => (m.metricName === 'HTTPCode_Target_5XX_Count' || m.metricName === '5xx' ? [900] : s)),
  FunctionThrottles: servingFor(10, (m, _, s) => (m.metricName === 'Throttles' ? [4] : s)),
  FallbackRate: servingFor(20, (m, _, s) => (m.metricName === METRICS.fallbackAnswers ? [3600] : s)),
  ProductionVersionReadFailures: servingFor(10, (m, _, s) => (m.metricName === METRICS.productionReadFailures ? [6] : s)),
  RunningTasksBelowMinimum: servingFor(10, (m, _, s) => (m.metricName === 'RunningTaskCount' ? [1] : s)),
  // Only the index throttles: the table's own series stay quiet.
  'registry-Throttles': servingFor(10, (m, _, s) => (m.metricName === 'ReadThrottleEvents' && m.dimensions.GlobalSecondaryIndexName ? [25] : s)),
  'predictions-Throttles': servingFor(10, (m, _, s) => (m.metricName === 'WriteThrottleEvents' && !m.dimensions.GlobalSecondaryIndexName ? [25] : s)),
  // One operation fails, the other seven publish nothing (DynamoDB publishes SystemErrors only when they happen).
  'registry-SystemErrors': servingFor(5, (m, _, s) => (m.metricName === 'SystemErrors' && m.dimensions.Operation === 'GetItem' && m.dimensions.TableName.includes('Registry') ? [3] : s)),
  'predictions-SystemErrors': servingFor(5, (m, _, s) => (m.metricName === 'SystemErrors' && m.dimensions.Operation === 'GetItem' && m.dimensions.TableName.includes('Predictions') ? [3] : s)),
  RetrainFunctionErrors: once((m) => m.metricName === 'Errors' && isRetrain(m), () => [1]),
};

/**
 * The other signals of the alarms that combine several (metric math: the number of signals at
 * or above their own threshold): each alone must fire its alarm, as its own alarm did before.
 */
const SIGNALS: Array<[alarm: string, signal: string, failure: Failure]> = [
  ['TrainingFailed', 'an execution timed out', once((m) => isTraining(m) && m.metricName === 'ExecutionsTimedOut', () => [1])],
  ['TrainingFailed', 'an execution was aborted', once((m) => isTraining(m) && m.metricName === 'ExecutionsAborted', () => [1])],
  ['TrainingFailed', 'a category\'s run failed while the execution succeeded', once((m) => m.metricName === METRICS.runsFailed, () => [1])],
  ['TrainingFailed', 'a training job failed (log metric filter)', once((m) => m.metricName.endsWith('-TrainingJobsFailed'), () => [1])],
  ['BatchInferenceFailed', 'prediction items failed to load', once((m) => m.metricName === METRICS.predictionsFailed, (s) => s.map(() => 4), START + 5 * HOUR)],
  ['BatchInferenceFailed', 'the loader function failed', once((m) => m.metricName === 'Errors' && !isRetrain(m), () => [1], START + 5 * HOUR)],
  ['BatchInferenceFailed', 'an execution timed out', once((m) => !isTraining(m) && !isIngestion(m) && m.metricName === 'ExecutionsTimedOut', () => [1], START + 5 * HOUR)],
];
const SCENARIOS: Array<[alarm: string, signal: string, failure: Failure]> = [
  ...Object.entries(FAILURES).map(([alarm, failure]): [string, string, Failure] => [alarm, 'its failure', failure]),
  ...SIGNALS,
];

/** Alarms whose failure is silence: with no data at all they must fire. */
const SILENCE_IS_FAILURE = /PredictionsStale|NoSuccessfulRun|RunningTasksBelowMinimum|MissedDelivery/;

// An alarm without a name (DataIngestion's) goes by its logical id, as in the simulator.
const alarmNames = Object.entries(template.Resources as Record<string, { Type: string; Properties: { AlarmName?: string } }>)
  .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').map(([id, r]) => r.Properties.AlarmName ?? id);
const failureOf = (name: string) => Object.entries(FAILURES).find(([suffix]) => name.endsWith(`-${suffix}`) || new RegExp(`Ingestion${suffix}[0-9A-F]{8}$`).test(name));
const inAlarm = (ts: Transition[] | undefined, from: number, to: number) =>
  (ts ?? []).some((t, i) => t.state === 'ALARM' && t.minute < to && (ts![i + 1]?.minute ?? Infinity) > from);

describe('alarm simulator over the synthesized platform', () => {
  test('every alarm has its failure scenario', () => {
    expect(alarmNames.length).toBeGreaterThan(20);
    expect(alarmNames.filter((n) => !failureOf(n))).toEqual([]);
  });

  test('a healthy week: no alarm and no page is ever in ALARM', () => {
    const run = new AlarmSimulation(template, healthy).run(0, 7 * DAY);
    const alarmed = [...run.entries()].filter(([, ts]) => inAlarm(ts, 0, 7 * DAY)).map(([name]) => name);
    expect(alarmed).toEqual([]);
    // Every alarm reached a verdict (nothing stays INSUFFICIENT_DATA on a healthy day).
    expect([...run.entries()].filter(([, ts]) => stateAt(ts, 7 * DAY) !== 'OK').map(([name]) => name)).toEqual([]);
  });

  test('a silent week: only the alarms whose failure is silence fire', () => {
    const run = new AlarmSimulation(template, () => []).run(0, 7 * DAY);
    for (const name of alarmNames) {
      expect([name, inAlarm(run.get(name), 0, 7 * DAY)]).toEqual([name, SILENCE_IS_FAILURE.test(name)]);
    }
  });

  test.each(SCENARIOS)('%s fires for %s and returns to OK after it', (suffix, _signal, failure) => {
    const names = alarmNames.filter((n) => failureOf(n)?.[0] === suffix);
    const run = new AlarmSimulation(template, withFailures(failure)).run(0, failure.start + failure.minutes + 2 * DAY, (n) => names.includes(n));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const ts = run.get(name)!;
      expect([name, 'before', inAlarm(ts, 0, failure.start)]).toEqual([name, 'before', false]);
      expect([name, 'during', inAlarm(ts, failure.start, failure.start + failure.minutes + 2 * HOUR)]).toEqual([name, 'during', true]);
      expect([name, 'after', stateAt(ts, failure.start + failure.minutes + 2 * DAY - 1)]).toEqual([name, 'after', 'OK']);
    }
  });
});

describe('paging', () => {
  const pages = (ts: Transition[] | undefined) => (ts ?? []).filter((t) => t.state === 'ALARM').map((t) => t.minute);

  test('two separate serving incidents page twice: ALARM -> OK -> ALARM', () => {
    const first = servingFor(10, (m, _, s) => (m.metricName === 'HTTPCode_Target_5XX_Count' ? [900] : s), DAY + 10 * HOUR);
    const second = servingFor(10, (m, _, s) => (m.metricName === 'TargetResponseTime' ? latencies(0.02, 0.9) : s), DAY + 14 * HOUR);
    const run = new AlarmSimulation(template, withFailures(first, second)).run(0, 2 * DAY);
    const page = run.get(`Sim-${MODEL}-Page-serving`)!;
    expect(pages(page)).toHaveLength(2);
    expect(page.map((t) => t.state)).toEqual(['INSUFFICIENT_DATA', 'OK', 'ALARM', 'OK', 'ALARM', 'OK']);
  });

  test('predictions expiring twice page twice, and a serving incident meanwhile pages on its own', () => {
    const books = noLoads('books');
    const garden = { ...noLoads('garden'), start: books.start + 4 * DAY };
    const serving = servingFor(10, (m, _, s) => (m.metricName === 'HTTPCode_Target_5XX_Count' ? [900] : s), books.start + 49 * HOUR);
    const run = new AlarmSimulation(template, withFailures(books, garden, serving)).run(0, garden.start + 3 * DAY);
    expect(pages(run.get(`Sim-${MODEL}-Page-predictions`))).toHaveLength(2);
    // The first stale-critical alarm fires once 48 full hours passed without a load: the last one
    // came at 05:00 the day before, so 48 h after the end of that hour.
    expect(pages(run.get(`Sim-${MODEL}-Page-predictions`))[0]).toBe(books.start - 19 * HOUR + HOUR + 48 * HOUR);
    expect(pages(run.get(`Sim-${MODEL}-Page-serving`))).toHaveLength(1);
    // Warnings alone never page.
    expect(inAlarm(run.get(`Sim-${MODEL}-PredictionsStaleWarning-books`), books.start, books.start + 48 * HOUR)).toBe(true);
  });

  test('DynamoDB system errors of a shared table page', () => {
    const run = new AlarmSimulation(template, withFailures(FAILURES['registry-SystemErrors'])).run(0, 4 * DAY);
    expect(pages(run.get('Sim-shared-Page-store'))).toHaveLength(1);
  });
});
