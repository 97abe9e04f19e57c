import { loggedHandler } from '../../lambda/shared/monitoring/logger';

function capture<T>(fn: () => Promise<T>): Promise<{ result?: T; error?: unknown; lines: Record<string, unknown>[] }> {
  const lines: string[] = [];
  const sink = (chunk: string | Uint8Array) => { lines.push(String(chunk)); return true; };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(sink);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(sink);
  return fn().then((result) => ({ result }), (error) => ({ error })).then((r) => {
    out.mockRestore();
    err.mockRestore();
    return { ...r, lines: lines.map((l) => JSON.parse(l)) };
  });
}

describe('loggedHandler (training step handlers)', () => {
  test('logs the finished step with the correlation ids of the payload and its item', async () => {
    const handler = loggedHandler('training-gate', async (e: { action: string; item: { model: string; category: string; runId: string; executionId: string } }) => `gated ${e.item.runId}`);
    const { result, lines } = await capture(() => handler(
      { action: 'decide', item: { model: 'demand', category: 'books', runId: 'run-1', executionId: 'arn:aws:states:us-east-1:1:execution:t:e1' } },
      { awsRequestId: 'req-9' },
    ));
    expect(result).toBe('gated run-1');
    expect(lines).toEqual([expect.objectContaining({
      level: 'INFO', message: 'step finished', service: 'training-gate', action: 'decide',
      model: 'demand', category: 'books', runId: 'run-1', executionArn: 'arn:aws:states:us-east-1:1:execution:t:e1', requestId: 'req-9',
    })]);
  });

  test('logs a failure with the error and rethrows it for the state machine to retry or catch', async () => {
    const boom = Object.assign(new Error('metrics.json is missing'), { name: 'MetricsError' });
    const handler = loggedHandler('training-evaluate', async (_e: { model: string; runId: string }) => { throw boom; });
    const { error, lines } = await capture(() => handler({ model: 'demand', runId: 'run-2' }));
    expect(error).toBe(boom);
    expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', message: 'step failed', errorName: 'MetricsError', errorMessage: 'metrics.json is missing', model: 'demand', runId: 'run-2' })]);
  });
});
