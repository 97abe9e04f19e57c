import { CfnParameter, Duration, Token } from 'aws-cdk-lib';
import { layout } from '../../lambda/shared/contract';
import { ARTIFACT_PREFIXES, RUN_STATUS_TAG } from '../../lib/data-lake';
import { dataLakeStack, logicalId, propertiesOf } from './helpers';
import { testStack } from '../support/cdk';

function rulesOf(props: Parameters<typeof dataLakeStack>[0], pick: 'datasetsBucket' | 'artifactsBucket' | 'predictionsBucket' | 'accessLogsBucket') {
  const { template, dataLake } = dataLakeStack(props);
  return propertiesOf(template, logicalId(dataLake[pick]!)).LifecycleConfiguration;
}

const housekeeping = (noncurrentDays: number, abortDays: number) => ({
  Id: 'Housekeeping',
  Status: 'Enabled',
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: abortDays },
  NoncurrentVersionExpiration: { NoncurrentDays: noncurrentDays },
  ExpiredObjectDeleteMarker: true,
});

describe('DataLake lifecycle', () => {
  test.each(['datasetsBucket', 'artifactsBucket', 'predictionsBucket'] as const)(
    '%s expires noncurrent versions after 90 days, aborts uploads after 7 and removes stale delete markers by default',
    (bucket) => {
      expect(rulesOf({}, bucket).Rules[0]).toEqual(housekeeping(90, 7));
    },
  );

  test('noncurrent-version and multipart-upload periods follow the props on every data bucket', () => {
    const props = { noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(2) };
    for (const bucket of ['datasetsBucket', 'artifactsBucket', 'predictionsBucket'] as const) {
      expect(rulesOf(props, bucket).Rules[0]).toEqual(housekeeping(30, 2));
    }
  });

  test('datasets move to Intelligent-Tiering at once by default, objects under 128 KB excepted', () => {
    expect(rulesOf({}, 'datasetsBucket')).toEqual({
      Rules: [
        housekeeping(90, 7),
        { Id: 'DatasetsToIntelligentTiering', Status: 'Enabled', Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 0 }] },
      ],
      TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
    });
  });

  test('datasets move to Intelligent-Tiering after datasetsIntelligentTieringAfter', () => {
    const rules = rulesOf({ datasetsIntelligentTieringAfter: Duration.days(30) }, 'datasetsBucket').Rules;
    expect(rules[1].Transitions).toEqual([{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }]);
  });

  test('experiment outputs expire under experiments/ after 90 days and failed-run outputs tagged failed after 30 by default', () => {
    expect(rulesOf({}, 'artifactsBucket').Rules.slice(1)).toEqual([
      { Id: 'ExpireExperimentRunOutputs', Status: 'Enabled', Prefix: 'experiments/', ExpirationInDays: 90 },
      { Id: 'ExpireFailedRunOutputs', Status: 'Enabled', TagFilters: [{ Key: 'mlops:run-status', Value: 'failed' }], ExpirationInDays: 30 },
    ]);
  });

  test('experiment and failed-run expirations follow the props', () => {
    const rules = rulesOf({ experimentRunOutputsExpiration: Duration.days(14), failedRunOutputsExpiration: Duration.days(3) }, 'artifactsBucket').Rules;
    expect(rules.map((r: { ExpirationInDays?: number }) => r.ExpirationInDays)).toEqual([undefined, 14, 3]);
  });

  test('run prefixes match the S3 layout contract, so the rules act on what runs write', () => {
    expect(layout.runPrefix('churn', 'run-1', true).startsWith(ARTIFACT_PREFIXES.experiments)).toBe(true);
    expect(layout.runPrefix('churn', 'run-1', false).startsWith(ARTIFACT_PREFIXES.runs)).toBe(true);
    expect(layout.runPrefix('churn', 'run-1', false).startsWith(ARTIFACT_PREFIXES.experiments)).toBe(false);
    expect(RUN_STATUS_TAG).toEqual({ key: 'mlops:run-status', failed: 'failed' });
  });

  // Archived predictions are read in the days after their run (loading, drift, answers being
  // questioned); later only for an investigation, which must not wait for a restore.
  const toCheaperStorage = (transitions: Array<[string, number]>) => ({
    Id: 'PredictionsToCheaperStorage',
    Status: 'Enabled',
    Transitions: transitions.map(([StorageClass, TransitionInDays]) => ({ StorageClass, TransitionInDays })),
  });

  test('archived predictions are kept by default, in Standard-IA after 30 days and Glacier Instant Retrieval after 90', () => {
    expect(rulesOf({}, 'predictionsBucket')).toEqual({
      Rules: [housekeeping(90, 7), toCheaperStorage([['STANDARD_IA', 30], ['GLACIER_IR', 90]])],
      // Objects under 128 KB stay in Standard: IA and Glacier IR bill them as 128 KB.
      TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
    });
  });

  test('archived predictions expire after predictionsExpiration when set, after their transitions', () => {
    expect(rulesOf({ predictionsExpiration: Duration.days(400) }, 'predictionsBucket').Rules.slice(1)).toEqual([
      toCheaperStorage([['STANDARD_IA', 30], ['GLACIER_IR', 90]]),
      { Id: 'ExpirePredictions', Status: 'Enabled', ExpirationInDays: 400 },
    ]);
  });

  test.each([
    [179, [['STANDARD_IA', 30]]],
    [60, [['STANDARD_IA', 30]]],
    [59, []],
    [1, []],
  ] as Array<[number, Array<[string, number]>]>)('an expiration after %i days keeps only the transitions objects stay in for the class\'s minimum storage (30 days IA, 90 Glacier IR)', (days, transitions) => {
    const rules = rulesOf({ predictionsExpiration: Duration.days(days) }, 'predictionsBucket').Rules;
    expect(rules.slice(1)).toEqual([
      ...(transitions.length ? [toCheaperStorage(transitions)] : []),
      { Id: 'ExpirePredictions', Status: 'Enabled', ExpirationInDays: days },
    ]);
  });

  test('access logs expire after 365 days by default, their noncurrent versions after noncurrentVersionExpiration', () => {
    expect(rulesOf({ noncurrentVersionExpiration: Duration.days(10) }, 'accessLogsBucket').Rules).toEqual([
      {
        Id: 'ExpireAccessLogs',
        Status: 'Enabled',
        ExpirationInDays: 365,
        NoncurrentVersionExpiration: { NoncurrentDays: 10 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
  });

  test('access logs expire after accessLogsExpiration when set', () => {
    expect(rulesOf({ accessLogsExpiration: Duration.days(90) }, 'accessLogsBucket').Rules[0].ExpirationInDays).toBe(90);
  });

  test('an unresolved duration (a CloudFormation parameter) is passed through unvalidated', () => {
    const stack = testStack();
    const days = new CfnParameter(stack, 'NoncurrentDays', { type: 'Number' });
    const { template, dataLake } = dataLakeStack({ noncurrentVersionExpiration: Duration.days(Token.asNumber(days.value)) }, stack);
    const rules = propertiesOf(template, logicalId(dataLake.datasetsBucket)).LifecycleConfiguration.Rules;
    expect(rules[0].NoncurrentVersionExpiration).toEqual({ NoncurrentDays: { Ref: 'NoncurrentDays' } });
  });
});
