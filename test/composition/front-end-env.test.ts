// Both front ends (server and Lambda) build their invoker from the environment the construct
// writes: a composition there becomes the model's client.
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { frontEndFromEnv } from '../../lambda/shared/predict/runtime';

test('a composition in MLOPS_MODEL_ENDPOINTS gives the model a real-time client; a bad one names the field', () => {
  const env = {
    AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    MLOPS_REGISTRY_TABLE: 'registry', MLOPS_PREDICTIONS_TABLE: 'predictions',
    [PREDICT_ENV.servingConfig]: JSON.stringify({ models: { demand: { categories: ['books'] } } }),
  };
  const composition = {
    kind: 'serial',
    steps: [{ name: 'features', target: { sageMakerEndpoint: 'demand-features' } }, { name: 'model', target: { sageMakerEndpoint: 'demand' } }, { name: 'calibrate', target: { function: 'demand-calibrate' } }],
  };
  const { invoker } = frontEndFromEnv({ env: { ...env, [PREDICT_ENV.modelEndpoints]: JSON.stringify({ models: { demand: { mode: 'online', composition, budgetMs: 485 } } }) } });
  expect(invoker?.models).toEqual(['demand']);
  invoker?.destroy();
  const bad = { ...composition, steps: [composition.steps[0], { name: 'model', target: {} }] };
  expect(() => frontEndFromEnv({ env: { ...env, [PREDICT_ENV.modelEndpoints]: JSON.stringify({ models: { demand: { mode: 'online', composition: bad, budgetMs: 485 } } }) } }))
    .toThrow(/MLOPS_MODEL_ENDPOINTS\.models\.demand\.composition\.steps\[1\]\.target \{\} is invalid: give exactly one of url, sageMakerEndpoint, function/);
});
