import { S3Client } from '@aws-sdk/client-s3';
import { layout } from '../../lambda/shared/contract';
import { getText } from '../../lambda/shared/training/s3';
import { DatasetManifest, validateData } from '../../lambda/shared/training/validate-data';
import { DATE, GOOD_ROWS, MODEL, localPipeline, s3Client } from './harness';

/**
 * s3rver has no versioning (TOOLING.md): this client adds the `x-amz-version-id` header a
 * versioned bucket sends with GetObject, so the manifest's use of it can be checked.
 */
function versionedS3(): S3Client {
  const s3 = s3Client();
  s3.middlewareStack.add((next, context) => async (args) => {
    const out = await next(args);
    const res = out.response as { headers?: Record<string, string> };
    if (context.commandName === 'GetObjectCommand' && res.headers) res.headers['x-amz-version-id'] = `v-${(args.input as { Key: string }).Key.split('/').pop()}`;
    return out;
  }, { step: 'deserialize', priority: 'low', name: 'versionedBucketStandIn' });
  return s3;
}

const run = (referenceTime: string) => ({
  model: MODEL, category: 'books', runId: `${MODEL}-books-20261124-abcdef`, executionDate: DATE, experiment: false, trigger: 'manual', executionId: 'local', hyperparameters: {}, referenceTime,
});

describe('dataset manifest lineage (issue 11 #4)', () => {
  test('the manifest keeps the VersionId of every object read, and the dataset version depends on it', async () => {
    const p = await localPipeline();
    await p.uploadData('books', GOOD_ROWS);
    const referenceTime = new Date(Date.now() + 60_000).toISOString();
    const manifestKey = layout.manifestKey(MODEL, 'books', DATE);

    const plain = await validateData(run(referenceTime), p.deps);
    const plainManifest = JSON.parse((await getText(p.s3, p.deps.artifactsBucket, manifestKey))!) as DatasetManifest;
    expect(plainManifest.objects[0].versionId).toBeUndefined();

    const versioned = await validateData(run(referenceTime), { ...p.deps, s3: versionedS3() });
    const manifest = JSON.parse((await getText(p.s3, p.deps.artifactsBucket, manifestKey))!) as DatasetManifest;
    expect(manifest.objects).toEqual([expect.objectContaining({ key: `${MODEL}/books/${DATE}/part-0.csv`, versionId: 'v-part-0.csv' })]);
    expect(versioned.datasetVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(versioned.datasetVersion).not.toBe(plain.datasetVersion);
  });
});
