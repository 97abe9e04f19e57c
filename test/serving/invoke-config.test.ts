// The real-time configuration a construct writes (PREDICT_ENV.modelEndpoints) and the runtime reads.
import fc from 'fast-check';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { latencyBudgetMs, parseModelEndpoints } from '../../lambda/shared/predict/invoke-config';
import { frontEndFromEnv } from '../../lambda/shared/predict/runtime';

test('parses HTTP and SageMaker endpoints', () => {
  expect(parseModelEndpoints(JSON.stringify({
    models: {
      ab: { mode: 'online', url: 'http://model-a.internal:8080', budgetMs: 485 },
      bc: { mode: 'both', sageMakerEndpoint: 'b-books', budgetMs: 450 },
    },
  }))).toEqual({
    models: {
      ab: { mode: 'online', url: 'http://model-a.internal:8080', budgetMs: 485 },
      bc: { mode: 'both', sageMakerEndpoint: 'b-books', budgetMs: 450 },
    },
  });
});

test.each([
  ['not JSON', '{', /modelEndpoints "\{" is invalid: use valid JSON/],
  ['no models', {}, /modelEndpoints.models \(missing\) is invalid/],
  ['a bad model name', { models: { 'Bad Name': { mode: 'online', url: 'http://x', budgetMs: 1 } } }, /modelEndpoints.models key "Bad Name" is invalid/],
  ['a mode batch', { models: { ab: { mode: 'batch', url: 'http://x', budgetMs: 1 } } }, /modelEndpoints.models.ab.mode "batch" is invalid: use "online" or "both"/],
  ['both endpoints', { models: { ab: { mode: 'online', url: 'http://x', sageMakerEndpoint: 'e', budgetMs: 1 } } }, /give exactly one of "url" .* and "sageMakerEndpoint"/],
  ['no endpoint', { models: { ab: { mode: 'online', budgetMs: 1 } } }, /give exactly one of "url"/],
  ['a URL that is not http', { models: { ab: { mode: 'online', url: 'ftp://x', budgetMs: 1 } } }, /modelEndpoints.models.ab.url "ftp:\/\/x" is invalid: use an http:\/\/ or https:\/\/ base URL/],
  ['a bad SageMaker name', { models: { ab: { mode: 'online', sageMakerEndpoint: 'has_underscore', budgetMs: 1 } } }, /sageMakerEndpoint "has_underscore" is invalid/],
  ['a zero budget', { models: { ab: { mode: 'online', url: 'http://x', budgetMs: 0 } } }, /budgetMs 0 is invalid: use a whole number of milliseconds >= 1/],
  ['an unknown field', { models: { ab: { mode: 'online', url: 'http://x', budgetMs: 1, retries: 3 } } }, /modelEndpoints.models.ab.retries 3 is invalid: remove it/],
])('refuses %s, naming the field and the fix', (_, input, message) => {
  expect(() => parseModelEndpoints(input)).toThrow(message);
});

test('the budget is the p99 objective minus the front end\'s overhead, and never below 1 ms', () => {
  expect(latencyBudgetMs(500, 15)).toBe(485);
  fc.assert(fc.property(fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 0, max: 1_000 }), (p99, overhead) => {
    if (p99 - overhead >= 1) expect(latencyBudgetMs(p99, overhead)).toBe(p99 - overhead);
    else expect(() => latencyBudgetMs(p99, overhead)).toThrow(/inference.slo.p99 "\d+ms" is invalid: leave the model time to answer/);
  }));
});

describe('frontEndFromEnv', () => {
  const env = {
    AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    MLOPS_REGISTRY_TABLE: 'registry', MLOPS_PREDICTIONS_TABLE: 'predictions',
    [PREDICT_ENV.servingConfig]: JSON.stringify({ models: { demand: { categories: ['books'] }, batch: {} } }),
  };

  test('builds no invoker without real-time models', () => {
    expect(frontEndFromEnv({ env }).invoker).toBeUndefined();
  });

  test('builds an invoker for the configured models, HTTP and SageMaker alike', () => {
    const { invoker } = frontEndFromEnv({
      env: {
        ...env,
        [PREDICT_ENV.modelEndpoints]: JSON.stringify({ models: { demand: { mode: 'online', url: 'http://127.0.0.1:9', budgetMs: 485 }, batch: { mode: 'both', sageMakerEndpoint: 'batch-e', budgetMs: 450 } } }),
      },
    });
    expect(invoker?.models).toEqual(['demand', 'batch']);
    invoker?.destroy();
  });

  test('names the variable when its configuration is wrong', () => {
    expect(() => frontEndFromEnv({ env: { ...env, [PREDICT_ENV.modelEndpoints]: '{"models": {"demand": {"mode": "online"}}}' } }))
      .toThrow(/MLOPS_MODEL_ENDPOINTS.models.demand .* is invalid: give exactly one of "url"/);
  });
});
