import { Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLake } from '../../lib/data-lake';
import { nagFindings, testStack } from '../support/cdk';

describe('DataLake cdk-nag', () => {
  test('has no unacknowledged AwsSolutions findings', () => {
    expect(
      nagFindings((app) => {
        new DataLake(new Stack(app, 'S'), 'DataLake');
      }),
    ).toEqual([]);
  });

  test('has no findings with EventBridge notifications on the datasets bucket', () => {
    expect(nagFindings((app) => new DataLake(new Stack(app, 'S'), 'DataLake', { datasetsEventBridge: true }))).toEqual([]);
  });

  test('has no findings when only some buckets are created (the access-logs bucket still receives logs)', () => {
    expect(
      nagFindings((app) => {
        const stack = new Stack(app, 'S');
        new DataLake(stack, 'DataLake', {
          existingDatasetsBucket: s3.Bucket.fromBucketName(stack, 'Datasets', 'legacy-datasets'),
          existingArtifactsBucket: s3.Bucket.fromBucketName(stack, 'Artifacts', 'legacy-artifacts'),
        });
      }),
    ).toEqual([]);
  });

  test('is clean without acknowledging anything', () => {
    const stack = testStack();
    new DataLake(stack, 'DataLake');
    const acknowledgements = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => ({ path: c.node.path, data: m.data })));
    expect(acknowledgements).toEqual([]);
  });
});
