import { LOG_FIELDS } from '../../lambda/shared/monitoring/constants';
import { correlationFrom, correlationKeys, createLogger, startInvocation } from '../../lambda/shared/monitoring/logger';

describe('structured logger', () => {
  test('correlation ids use the field names the saved queries filter on, and drop empty ones', () => {
    expect(correlationKeys({ model: 'demand', category: 'north', runId: 'r1', executionArn: 'arn:x', requestId: '' })).toEqual({
      [LOG_FIELDS.model]: 'demand', [LOG_FIELDS.category]: 'north', [LOG_FIELDS.runId]: 'r1', [LOG_FIELDS.executionArn]: 'arn:x',
    });
  });

  test('reads ids from a Step Functions payload, taking $$.Execution.Id passed as executionId', () => {
    expect(correlationFrom({ model: 'demand', runId: 'r1', executionId: 'arn:aws:states:x', other: 1 }))
      .toEqual({ model: 'demand', category: undefined, runId: 'r1', executionArn: 'arn:aws:states:x', requestId: undefined });
    expect(correlationFrom(undefined)).toEqual({});
  });

  test('every line of an invocation carries its ids, and the next invocation starts clean', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { lines.push(String(chunk)); return true; });
    try {
      const logger = createLogger('test-handler', 'INFO');
      startInvocation(logger, { awsRequestId: 'req-1' }, { model: 'demand', runId: 'r1' });
      logger.info('first');
      startInvocation(logger, { awsRequestId: 'req-2' }, { model: 'churn' });
      logger.info('second');
    } finally {
      spy.mockRestore();
    }
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({ level: 'INFO', message: 'first', service: 'test-handler', model: 'demand', runId: 'r1', requestId: 'req-1' });
    expect(second).toMatchObject({ message: 'second', model: 'churn', requestId: 'req-2' });
    expect(second.runId).toBeUndefined();
  });
});
