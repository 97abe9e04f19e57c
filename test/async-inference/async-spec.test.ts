// inference.async in the spec: defaults, the loader's cross-field rules, and the pattern check
// MLOPS-AsyncResultOutlivesPolling (a compliant and a non-compliant fixture).
import { Compliance, asyncResultOutlivesPolling, runPatternChecks } from '../../lib/checks';
import { parseModelSpecText } from '../../lib/spec';
import { MINIMAL_YAML, specFrom } from '../spec/fixtures';

const ASYNC = '  mode: both\n  async: {}\n';

test('inference.async: {} gets the documented defaults; without it there are no jobs', () => {
  expect(specFrom(ASYNC).inference.async).toEqual({
    timeoutSeconds: 60, maxPayloadBytes: 65536, resultRetentionSeconds: 86_400, pollWindowSeconds: 3600, maxAttempts: 3, maxConcurrency: 10,
  });
  expect(specFrom('  mode: both\n').inference.async).toBeUndefined();
});

test.each([
  ['mode batch', '  async: {}\n', 'inference.async', /mode online or both with inference.async .*set mode: both/],
  ['a timeout beyond one InvokeEndpoint call', '  mode: online\n  async: { timeout: 5m }\n', 'inference.async.timeout', /at most 60s with hosting sagemaker .*lower timeout to 60s or less/],
  ['a payload over what the front ends read', '  mode: online\n  async: { maxPayloadBytes: 70000 }\n', 'inference.async.maxPayloadBytes', /<= 65536/],
  ['a worker concurrency Lambda cannot set', '  mode: online\n  async: { maxConcurrency: 1 }\n', 'inference.async.maxConcurrency', />= 2/],
  ['hosting fargate (the workers cannot reach the model service)', '  mode: online\n  hosting: fargate\n  fargate: { command: [python3, serve.py] }\n  async: {}\n', 'inference.async',
    /hosting sagemaker with inference.async .*set hosting: sagemaker, or remove inference.async/],
])('%s is refused at the field, with the fix', (_what, inference, path, message) => {
  const { spec, problems } = parseModelSpecText(`${MINIMAL_YAML}${inference}`, { file: 'models/demand/model.yaml' });
  expect(spec).toBeUndefined();
  expect(problems).toHaveLength(1);
  expect(problems[0].path).toBe(path);
  expect(`${problems[0].expected} ${problems[0].fix}`).toMatch(message);
});

describe('MLOPS-AsyncResultOutlivesPolling', () => {
  test('compliant: results kept 1d, clients poll 1h (the defaults)', () => {
    expect(asyncResultOutlivesPolling.check(specFrom(ASYNC)).compliance).toBe(Compliance.COMPLIANT);
  });
  test('non-compliant: results kept 1d while clients poll 2d', () => {
    const spec = specFrom('  mode: both\n  async: { resultRetention: 1d, pollWindow: 2d }\n');
    expect(asyncResultOutlivesPolling.check(spec)).toEqual({
      compliance: Compliance.NON_COMPLIANT, path: 'inference.async.resultRetention',
      detail: 'resultRetention 1d < pollWindow 2d; set resultRetention to at least 2d, or shorten pollWindow',
    });
    expect(runPatternChecks([spec]).map((f) => f.id)).toContain('MLOPS-AsyncResultOutlivesPolling');
  });
  test('not applicable without inference.async', () => {
    expect(asyncResultOutlivesPolling.check(specFrom()).compliance).toBe(Compliance.NOT_APPLICABLE);
  });
});
