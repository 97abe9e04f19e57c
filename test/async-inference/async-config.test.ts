// The JSON configurations the construct writes and the runtimes read (MLOPS_ASYNC_JOBS,
// MLOPS_ASYNC_WORKER): accepted as written, refused with the field, the value and the fix.
import { parseAsyncJobsConfig, parseAsyncWorkerConfig } from '../../lambda/shared/predict/async-config';

const model = { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', jobsTable: 'jobs', resultsBucket: 'results', maxPayloadBytes: 65536, retentionSeconds: 86400 };
const worker = { model: 'demand-forecast', jobsTable: 'jobs', resultsBucket: 'results', sageMakerEndpoint: 'demand-forecast', timeoutMs: 60000, maxAttempts: 3 };

test('accepts what the construct writes', () => {
  expect(parseAsyncJobsConfig(JSON.stringify({ models: { 'demand-forecast': model } }))).toEqual({ models: { 'demand-forecast': model } });
  expect(parseAsyncWorkerConfig(JSON.stringify(worker))).toEqual(worker);
});

test.each([
  [() => parseAsyncJobsConfig('{'), /MLOPS_ASYNC_JOBS .* is invalid: use valid JSON/],
  [() => parseAsyncJobsConfig({ models: { 'demand-forecast': { ...model, maxPayloadBytes: 70000 } } }), /MLOPS_ASYNC_JOBS.models.demand-forecast.maxPayloadBytes 70000 is invalid: use a whole number from 1 to 65536/],
  [() => parseAsyncJobsConfig({ models: { 'demand-forecast': { ...model, extra: 1 } } }), /extra 1 is invalid: remove it/],
  [() => parseAsyncWorkerConfig({ ...worker, url: 'http://127.0.0.1:8080' }), /give exactly one of "url" .* and "sageMakerEndpoint"/],
  [() => parseAsyncWorkerConfig({ ...worker, timeoutMs: 0 }), /MLOPS_ASYNC_WORKER.timeoutMs 0 is invalid: use a whole number from 1 to 840000/],
])('refuses a bad configuration with the field and the fix (%#)', (parse, message) => {
  expect(parse).toThrow(message);
});
