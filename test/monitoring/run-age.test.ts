import { DescribeStateMachineCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { RUN_AGE_METRICS, publishRunAge } from '../../lambda/shared/monitoring/run-age';

const NOW = new Date('2030-03-10T12:00:00Z');
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:train';

function sfnWith(lastSuccess: Date | undefined, created = new Date('2030-01-01T00:00:00Z')) {
  const calls: unknown[] = [];
  return {
    calls,
    send: async (command: unknown) => {
      calls.push(command);
      if (command instanceof ListExecutionsCommand) return { executions: lastSuccess ? [{ stopDate: lastSuccess }] : [] };
      if (command instanceof DescribeStateMachineCommand) return { creationDate: created };
      throw new Error('unexpected command');
    },
  };
}

describe('run age', () => {
  test('publishes the hours since the newest success as an EMF line on the model dimension', async () => {
    const lines: string[] = [];
    const sfn = sfnWith(new Date(NOW.getTime() - 8 * 86_400_000));
    const r = await publishRunAge({ model: 'weekly', metric: RUN_AGE_METRICS.training, stateMachineArn: ARN }, { sfn: sfn as any, now: NOW, write: (l) => lines.push(l) });
    expect(r.hours).toBe(192);
    const emf = JSON.parse(lines[0]);
    expect(emf).toMatchObject({ Model: 'weekly', [RUN_AGE_METRICS.training]: 192, _aws: { CloudWatchMetrics: [{ Namespace: 'CdkMlops', Dimensions: [['Model']] }] } });
    expect((sfn.calls[0] as ListExecutionsCommand).input).toEqual({ stateMachineArn: ARN, statusFilter: 'SUCCEEDED', maxResults: 1 });
  });

  test('before the first success, counts from the state machine\'s creation', async () => {
    const lines: string[] = [];
    const r = await publishRunAge({ model: 'new', metric: RUN_AGE_METRICS.batchInference, stateMachineArn: ARN },
      { sfn: sfnWith(undefined, new Date(NOW.getTime() - 3_600_000)) as any, now: NOW, write: (l) => lines.push(l) });
    expect(r.hours).toBe(1);
    expect(JSON.parse(lines[0])[RUN_AGE_METRICS.batchInference]).toBe(1);
  });

  test('a broken rule input names the field', async () => {
    await expect(publishRunAge({ model: 'm', metric: '', stateMachineArn: ARN }, { sfn: sfnWith(undefined) as any, now: NOW, write: () => undefined }))
      .rejects.toThrow(/metric must be a non-empty string, but "" was provided/);
  });
});
