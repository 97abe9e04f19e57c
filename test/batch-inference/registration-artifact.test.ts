// 17.6: a version is registered only with model files to score. A run that wrote metrics.json to
// /opt/ml/output/data but nothing to /opt/ml/model must not register `.../output/model/`, an
// empty prefix every scoring job of the version would fail on.
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DATE, GOOD_ROWS, MODEL, localPipeline } from '../training-pipeline/harness';

describe('registration needs the model artifact', () => {
  test('a run whose model directory is empty fails its category and registers nothing', async () => {
    const p = await localPipeline({ categories: ['books'] }, {
      trainWrapper: (train) => async (req) => {
        const result = await train(req);
        // Move what the job wrote: metrics to output/data, no model files.
        const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(req.OutputDataConfig.S3OutputPath)!;
        const jobPrefix = `${prefix}${req.TrainingJobName}/output/`;
        const listed = await p.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${jobPrefix}model/` }));
        for (const o of listed.Contents ?? []) await p.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }));
        await p.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${jobPrefix}data/metrics.json`, Body: '{"rmse": 0.4}' }));
        return result;
      },
    });
    await p.uploadData('books', GOOD_ROWS);
    const res = await p.machine.start({ model: MODEL, executionDate: DATE, categories: ['books'] }).outcome;
    expect(await p.registry.getVersion(MODEL, 'books', 1)).toBeUndefined();
    expect(JSON.stringify(res)).toMatch(/no model files under s3:\/\/.*\/output\/model\/: the training code must write the model to \/opt\/ml\/model/);
  });
});
