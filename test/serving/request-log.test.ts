import { RequestLog } from '../../lambda/shared/predict/request-log';

function log(opts: { slowMs?: number; maxLinesPerSecond?: number } = {}) {
  const lines: Record<string, unknown>[] = [];
  let now = Date.parse('2026-11-24T08:00:00.000Z');
  const rl = new RequestLog({ service: 'prediction-server', write: (l) => lines.push(JSON.parse(l)), now: () => now, ...opts });
  return { rl, lines, tick: (ms: number) => { now += ms; } };
}

const answer = (source: string, extra: Record<string, unknown> = {}) => ({ prediction: 1, model: 'demand', category: 'books', entityId: 'e1', version: 3, source, ...extra });

describe('request log', () => {
  test('fast model answers are not logged', () => {
    const { rl, lines } = log();
    rl.record({ requestId: 'r1', status: 200, latencyMs: 3, body: answer('model') });
    expect(lines).toEqual([]);
  });

  test('slow requests are logged with their latency, in the fields the saved queries read', () => {
    const { rl, lines } = log({ slowMs: 50 });
    rl.record({ requestId: 'r1', status: 200, latencyMs: 120.456, body: answer('model') });
    expect(lines).toEqual([expect.objectContaining({ level: 'INFO', message: 'slow request', service: 'prediction-server', requestId: 'r1', model: 'demand', category: 'books', source: 'model', latencyMs: 120.46, status: 200 })]);
  });

  test('every rule and fallback answer of a batch gets its own line with the rule and the reason', () => {
    const { rl, lines } = log();
    rl.record({ requestId: 'r2', status: 200, latencyMs: 4, body: { model: 'demand', category: 'books', answers: [
      answer('model'), answer('fallback', { entityId: 'e2', rule: 'typical-day', reason: 'missing' }), answer('rule', { entityId: 'e3', rule: 'test-store' }),
    ] } });
    expect(lines.map((l) => [l.message, l.entityId, l.source, l.rule, l.reason])).toEqual([
      ['fallback answer', 'e2', 'fallback', 'typical-day', 'missing'],
      ['rule answer', 'e3', 'rule', 'test-store', undefined],
    ]);
  });

  test('rejected requests are logged with the reason given to the client', () => {
    const { rl, lines } = log();
    rl.record({ requestId: 'r3', status: 400, latencyMs: 1, body: { error: 'BadRequest', message: 'entityId "" is invalid' } });
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', message: 'request rejected', status: 400, error: 'BadRequest', reason: 'entityId "" is invalid' })]);
  });

  test('lines are capped per second and the suppressed count is reported with the next second', () => {
    const { rl, lines, tick } = log({ maxLinesPerSecond: 3 });
    for (let i = 0; i < 10; i++) rl.record({ requestId: `r${i}`, status: 200, latencyMs: 1, body: answer('fallback', { reason: 'store-error' }) });
    expect(lines).toHaveLength(3);
    tick(1000);
    rl.record({ requestId: 'next', status: 200, latencyMs: 1, body: answer('fallback') });
    expect(lines.slice(3).map((l) => [l.message, l.suppressed])).toEqual([['request log lines suppressed', 7], ['fallback answer', undefined]]);
  });
});
