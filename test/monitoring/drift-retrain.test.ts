import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DATA_VALIDATION_ERROR, DriftRetrainEvent, executionName, retrainOnDrift } from '../../lambda/drift-retrain';
import { DRIFT_STATE } from '../../lambda/shared/monitoring/constants';
import { REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { plan, plannedRuns, runItem } from '../../lambda/shared/training/plan';
import { PipelineConfig } from '../../lambda/shared/training/types';
import { DataValidationError } from '../../lambda/shared/training/validate-data';
import { createLocalTable, localDoc } from '../support/dynamo';

// DynamoDB Local holds the rate-limit item (in a table with the registry's schema, as in
// production); only the Step Functions client is stubbed: starts succeed (or fail), and
// DescribeExecution answers what `outcomes` says about an execution (RUNNING by default).
function stubSfn(fail = false, outcomes: Record<string, { status: string; error?: string }> = {}) {
  const calls: StartExecutionCommand[] = [];
  return {
    calls,
    outcomes,
    send: jest.fn(async (cmd: StartExecutionCommand | DescribeExecutionCommand) => {
      if (cmd instanceof DescribeExecutionCommand) return outcomes[cmd.input.executionArn!] ?? { status: 'RUNNING' };
      calls.push(cmd);
      if (fail) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return { executionArn: `arn:aws:states:us-east-1:111111111111:execution:train:${cmd.input.name}`, startDate: new Date() };
    }),
  };
}

const PIPELINE = 'arn:aws:states:us-east-1:111111111111:stateMachine:train-demand';
const DAY = 86_400;

function alarmEvent(model: string, extra: Partial<DriftRetrainEvent> = {}): DriftRetrainEvent {
  return { model, stateMachineArn: PIPELINE, cooldownSeconds: DAY, alarmName: `stack-${model}-PredictionDrift`, state: 'ALARM', reason: 'Threshold Crossed', ...extra };
}

describe('drift retrain rate limit (DynamoDB Local)', () => {
  let table: string;
  const doc = localDoc();
  beforeAll(async () => { table = await createLocalTable('drift', REGISTRY_SCHEMA); });

  test('two alarms inside the cooldown start one execution, marked as drift-triggered', async () => {
    const sfn = stubSfn();
    const t0 = new Date('2025-03-01T06:00:00Z');
    const first = await retrainOnDrift(alarmEvent('demand'), { doc, sfn, stateTable: table, now: () => t0 });
    const second = await retrainOnDrift(alarmEvent('demand'), { doc, sfn, stateTable: table, now: () => new Date(t0.getTime() + 3_600_000) });

    expect(first.status).toBe('STARTED');
    expect(second).toEqual({ status: 'RATE_LIMITED', model: 'demand', nextAllowedAt: '2025-03-02T06:00:00.000Z' });
    expect(sfn.calls).toHaveLength(1);
    expect(sfn.calls[0].input.stateMachineArn).toBe(PIPELINE);
    expect(JSON.parse(sfn.calls[0].input.input!)).toEqual({
      model: 'demand',
      trigger: 'drift',
      drift: { alarmName: 'stack-demand-PredictionDrift', reason: 'Threshold Crossed', at: '2025-03-01T06:00:00.000Z' },
    });
    const item = await doc.send(new GetCommand({ TableName: table, Key: { pk: DRIFT_STATE.pk('demand'), sk: DRIFT_STATE.sk } }));
    expect(item.Item).toMatchObject({ lastStartedAt: t0.getTime() / 1000, starts: 1, lastExecutionArn: first.executionArn, entity: 'DRIFT_RETRAIN' });
  });

  test('concurrent alarms race for the slot and only one wins', async () => {
    const sfn = stubSfn();
    const now = () => new Date('2025-03-01T06:00:00Z');
    const results = await Promise.all([1, 2, 3, 4].map(() => retrainOnDrift(alarmEvent('churn'), { doc, sfn, stateTable: table, now })));
    expect(results.filter((r) => r.status === 'STARTED')).toHaveLength(1);
    expect(sfn.calls).toHaveLength(1);
  });

  test('an alarm after the cooldown starts the next execution', async () => {
    const sfn = stubSfn();
    const t0 = new Date('2025-03-01T06:00:00Z');
    await retrainOnDrift(alarmEvent('price'), { doc, sfn, stateTable: table, now: () => t0 });
    const later = await retrainOnDrift(alarmEvent('price'), { doc, sfn, stateTable: table, now: () => new Date(t0.getTime() + DAY * 1000) });
    expect(later.status).toBe('STARTED');
    expect(sfn.calls.map((c) => c.input.name)).toEqual(['drift-price-20250301T060000Z', 'drift-price-20250302T060000Z']);
  });

  test('models are limited independently', async () => {
    const sfn = stubSfn();
    const now = () => new Date('2025-03-05T06:00:00Z');
    const a = await retrainOnDrift(alarmEvent('model-a'), { doc, sfn, stateTable: table, now });
    const b = await retrainOnDrift(alarmEvent('model-b'), { doc, sfn, stateTable: table, now });
    expect([a.status, b.status]).toEqual(['STARTED', 'STARTED']);
  });

  test('a start that fails gives the slot back, so the next alarm is not swallowed', async () => {
    const t0 = new Date('2025-03-01T06:00:00Z');
    await expect(retrainOnDrift(alarmEvent('flaky'), { doc, sfn: stubSfn(true), stateTable: table, now: () => t0 })).rejects.toThrow(/Rate exceeded/);
    const sfn = stubSfn();
    const retry = await retrainOnDrift(alarmEvent('flaky'), { doc, sfn, stateTable: table, now: () => new Date(t0.getTime() + 60_000) });
    expect(retry.status).toBe('STARTED');
    expect(sfn.calls).toHaveLength(1);
  });

  test('ignores states other than ALARM and rejects a malformed target input', async () => {
    const sfn = stubSfn();
    const ok = await retrainOnDrift(alarmEvent('quiet', { state: 'OK' }), { doc, sfn, stateTable: table });
    expect(ok.status).toBe('IGNORED');
    expect(sfn.calls).toHaveLength(0);
    await expect(retrainOnDrift(alarmEvent('quiet', { stateMachineArn: 'train' }), { doc, sfn, stateTable: table }))
      .rejects.toThrow(/event.stateMachineArn must be a state machine ARN, but "train"/);
  });

  test('an alarm at 00:30 in Paris trains on the Paris date, as the pipeline reads its start time', async () => {
    const sfn = stubSfn();
    const alarmAt = new Date('2026-11-23T23:30:00Z'); // 00:30 on the 24th in Paris
    await retrainOnDrift(alarmEvent('paris'), { doc, sfn, stateTable: table, now: () => alarmAt });
    const input = JSON.parse(sfn.calls[0].input.input!);
    const config = { model: 'paris', categories: ['books'], hyperparameters: {}, timeZone: 'Europe/Paris' } as unknown as PipelineConfig;
    const planned = plan(input, { config, datasetsBucket: 'ds', artifactsBucket: 'art', executionId: 'arn:x', startTime: alarmAt.toISOString() });
    expect(planned).toMatchObject({ executionDate: '2026-11-24', trigger: 'drift' });
    expect(runItem(plannedRuns(planned)[0], { datasetsBucket: 'ds', artifactsBucket: 'art' }).datasetPrefix).toBe('paris/books/2026-11-24/');
  });

  test('a run that failed in data validation does not hold the slot: the next alarm starts again', async () => {
    const sfn = stubSfn();
    const t0 = new Date('2025-03-01T06:00:00Z');
    const first = await retrainOnDrift(alarmEvent('nodata'), { doc, sfn, stateTable: table, now: () => t0 });
    sfn.outcomes[first.executionArn!] = { status: 'FAILED', error: DATA_VALIDATION_ERROR };
    const second = await retrainOnDrift(alarmEvent('nodata'), { doc, sfn, stateTable: table, now: () => new Date(t0.getTime() + 3_600_000) });
    expect(second.status).toBe('STARTED');
    expect(sfn.calls).toHaveLength(2);
    // The new start holds the slot like any other: a third alarm is rate-limited while it runs.
    const third = await retrainOnDrift(alarmEvent('nodata'), { doc, sfn, stateTable: table, now: () => new Date(t0.getTime() + 7_200_000) });
    expect(third).toMatchObject({ status: 'RATE_LIMITED', nextAllowedAt: '2025-03-02T07:00:00.000Z' });
  });

  test('a run still going, or one that failed after training started, keeps the slot', async () => {
    const t0 = new Date('2025-03-01T06:00:00Z');
    for (const [model, outcome] of [['busy', undefined], ['broken', { status: 'FAILED', error: 'TrainingFailed' }]] as const) {
      const sfn = stubSfn();
      const first = await retrainOnDrift(alarmEvent(model), { doc, sfn, stateTable: table, now: () => t0 });
      if (outcome) sfn.outcomes[first.executionArn!] = outcome;
      const second = await retrainOnDrift(alarmEvent(model), { doc, sfn, stateTable: table, now: () => new Date(t0.getTime() + 3_600_000) });
      expect({ model, status: second.status }).toEqual({ model, status: 'RATE_LIMITED' });
      expect(sfn.calls).toHaveLength(1);
    }
  });

  test('the data-validation error name is the one the training pipeline fails with', () => {
    expect(new DataValidationError('no data').name).toBe(DATA_VALIDATION_ERROR);
  });

  test('execution names stay within Step Functions limits', () => {
    const name = executionName('a'.repeat(100), new Date('2025-03-01T06:00:00.123Z'));
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^drift-a+-20250301T060000Z$/);
  });
});
