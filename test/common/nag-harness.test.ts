import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { nagFindings } from '../support/cdk';

describe('nag harness', () => {
  test('reports findings of an insecure bucket', () => {
    const findings = nagFindings((app) => {
      const stack = new Stack(app, 'Insecure');
      new s3.Bucket(stack, 'Bucket');
    });
    expect(findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});
