import { Duration } from 'aws-cdk-lib';
import { DataLake, DataLakeProps } from '../../lib/data-lake';
import { testStack } from '../support/cdk';

const build = (props: DataLakeProps) => () => new DataLake(testStack(), 'DataLake', props);

describe('DataLake props validation', () => {
  test.each<[string, DataLakeProps, RegExp]>([
    ['noncurrentVersionExpiration', { noncurrentVersionExpiration: Duration.hours(36) }, /^noncurrentVersionExpiration must be a whole number of days .*but 1 day 12 hours was provided: use Duration\.days\(n\)$/],
    ['datasetsIntelligentTieringAfter', { datasetsIntelligentTieringAfter: Duration.minutes(90) }, /^datasetsIntelligentTieringAfter must be a whole number of days .*but 1 hour 30 minutes was provided/],
    ['accessLogsExpiration', { accessLogsExpiration: Duration.hours(12) }, /^accessLogsExpiration must be a whole number of days .*but 12 hours was provided/],
  ])('rejects a %s that is not whole days', (_name, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test.each<[string, DataLakeProps]>([
    ['noncurrentVersionExpiration', { noncurrentVersionExpiration: Duration.days(0) }],
    ['abortIncompleteMultipartUploadAfter', { abortIncompleteMultipartUploadAfter: Duration.days(0) }],
    ['experimentRunOutputsExpiration', { experimentRunOutputsExpiration: Duration.days(0) }],
    ['failedRunOutputsExpiration', { failedRunOutputsExpiration: Duration.days(0) }],
    ['predictionsExpiration', { predictionsExpiration: Duration.days(0) }],
    ['accessLogsExpiration', { accessLogsExpiration: Duration.seconds(0) }],
  ])('rejects a zero %s, naming the minimum', (name, props) => {
    expect(build(props)).toThrow(new RegExp(`^${name} must be at least 1 day, but 0 \\w+ was provided: use Duration\\.days\\(1\\) or more$`));
  });

  test('accepts a zero datasetsIntelligentTieringAfter (transition at once)', () => {
    expect(build({ datasetsIntelligentTieringAfter: Duration.days(0) })).not.toThrow();
  });

  test('negative durations cannot reach the construct: Duration itself rejects them', () => {
    expect(() => build({ noncurrentVersionExpiration: Duration.days(-1) })()).toThrow(/Duration amounts cannot be negative. Received: -1/);
  });
});
