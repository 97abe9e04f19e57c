import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CONTAINER } from '../../lambda/shared/contract';
import { STATE_PAYLOAD_LIMIT_BYTES } from '../../local/asl';
import { DATE, GOOD_ROWS, MODEL, localPipeline } from './harness';

// The largest execution the validator allows: 200 categories of the longest category name,
// every other one failing with the longest failure cause the registry keeps.
const MAX_CATEGORIES = 200;
const categories = Array.from({ length: MAX_CATEGORIES }, (_, i) => `${String(i).padStart(3, '0')}-${'longest-category-name-'.repeat(3)}`.slice(0, 64));
const LONG_CAUSE = `AlgorithmError: ${'Traceback (most recent call last): File "/app/train.py", line 1 '.repeat(80)}`;

test(`the largest category count (${MAX_CATEGORIES} x 64-character names) stays under the 256 KiB state payload limit, through summary and scoring`, async () => {
  const p = await localPipeline({ categories, maxConcurrency: 40, toleratedFailurePercentage: 50 }, {
    batchInference: true,
    // Stands in for SageMaker without a process per job: writes metrics.json, or fails.
    trainWrapper: () => async (req) => {
      const category = req.Environment[CONTAINER.env.category] as string;
      if (categories.indexOf(category) % 2 === 1) throw Object.assign(new Error(JSON.stringify({ FailureReason: LONG_CAUSE })), { name: 'States.TaskFailed' });
      const [, , bucket, ...prefix] = (req.OutputDataConfig.S3OutputPath as string).split('/');
      await p.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix.join('/')}${req.TrainingJobName}/output/model/metrics.json`, Body: JSON.stringify({ rmse: 0.5 }) }));
      return {};
    },
  });
  for (const c of categories) await p.uploadData(c, GOOD_ROWS);

  const execution = p.machine.start({ executionDate: DATE });
  const res = await execution.outcome;

  expect(res.status).toBe('SUCCEEDED');
  expect(execution.largestPayload.bytes).toBeLessThanOrEqual(STATE_PAYLOAD_LIMIT_BYTES);
  console.info(`largest state payload at ${MAX_CATEGORIES} categories: ${execution.largestPayload.bytes} B in ${execution.largestPayload.state}`);
  expect(p.batchStarts).toHaveLength(1);
  expect((p.batchStarts[0].categories as string[]).sort()).toEqual([...categories].sort());
  expect(p.notifications[0].subject).toContain('partially failed');
  const failed = (await p.registry.listRuns({ model: MODEL, status: 'FAILED', limit: 200 })).items;
  expect(failed).toHaveLength(MAX_CATEGORIES / 2);
  expect(failed[0].failureCause!.length).toBeGreaterThan(3000); // the registry keeps the whole cause
}, 300_000);
