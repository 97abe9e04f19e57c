import { Duration, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { IDataLake } from '../data-lake/data-lake-base';
import { IPreTrainingStep, PreTrainingStepConfig } from '../training-pipeline/pre-training-step';
import { AsOfQuery, asOfJoinSql, statesFormatTemplate, unloadSql } from './as-of-query';
import { glueArns, offlineStorePrefix } from './feature-group';

/** Where each run's query result goes: the run's input prefix, read as the `training` channel. */
export const TRAINING_INPUT_SUFFIX = 'input/training/';
/** State names the query adds to each category's branch. */
export const FEATURE_QUERY_STATES = { query: 'QueryFeatures', useResult: 'FeatureSetLocation', setUri: 'TrainOnFeatureSet' } as const;

/** Props of {@link FeatureQuery}. */
export interface FeatureQueryProps {
  /** The model whose runs it builds training sets for. */
  readonly modelName: string;
  readonly dataLake: IDataLake;
  /** The join: the labels group and the groups joined as of each row's time. */
  readonly query: AsOfQuery;
  /** Feature group names the query reads (the labels group and every joined group). */
  readonly featureGroupNames: string[];
  /**
   * Most data one query may scan (Athena bills per TB scanned; a larger query fails).
   * @default 100 GiB (about $0.49 at $5/TB)
   */
  readonly bytesScannedCutoffPerQuery?: number;
  /**
   * Longest a query may run.
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;
}

const MARK = '\u0001';

/**
 * The training set of each run from the offline store: an Athena workgroup (results encrypted
 * with the data lake key, a per-query scan limit) and, in each category's branch before
 * training, an UNLOAD of the point-in-time join to `<run prefix>input/training/` (JSON lines,
 * gzip), which becomes the run's `training` channel.
 */
export class FeatureQuery extends Construct implements IPreTrainingStep {
  readonly workGroupName: string;
  /** The query template (`States.Format` slots: cutoff, [category,] bucket, run prefix). */
  readonly queryTemplate: string;
  /** The feature groups it reads. */
  readonly featureGroupNames: string[];
  private readonly props: FeatureQueryProps;

  constructor(scope: Construct, id: string, props: FeatureQueryProps) {
    super(scope, id);
    this.props = props;
    this.featureGroupNames = [...new Set(props.featureGroupNames)];
    const { dataLake, modelName } = props;
    this.workGroupName = `${modelName}-features`;
    const select = asOfJoinSql(props.query, { cutoff: MARK, ...(props.query.labels.categoryColumn ? { category: MARK } : {}) });
    // One line: the template is a string literal inside an intrinsic function.
    this.queryTemplate = statesFormatTemplate(unloadSql(select, `s3://${MARK}/${MARK}${TRAINING_INPUT_SUFFIX}`).replace(/\s*\n\s*/g, ' '), MARK);
    new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: `Training sets of ${modelName} from the feature store`,
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? 100 * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: dataLake.artifactsBucket.s3UrlForObject(this.resultsPrefix),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: dataLake.encryptionKey.keyArn },
        },
      },
    });
  }

  /** Athena's own result files (query metadata and the UNLOAD manifest). */
  get resultsPrefix(): string {
    return `athena/${this.props.modelName}/`;
  }

  bind(scope: Construct): PreTrainingStepConfig {
    const args = ['$$.Execution.StartTime', ...(this.props.query.labels.categoryColumn ? ['$.category'] : []), '$.outputBucket', '$.outputPrefix'];
    const query = new sfn.CustomState(scope, FEATURE_QUERY_STATES.query, {
      stateJson: {
        Type: 'Task',
        Comment: 'Point-in-time join of the feature groups (Athena UNLOAD) into the run\'s training channel',
        Resource: `arn:${Stack.of(this).partition}:states:::athena:startQueryExecution.sync`,
        TimeoutSeconds: (this.props.timeout ?? Duration.hours(1)).toSeconds(),
        Parameters: {
          'QueryString.$': `States.Format('${this.queryTemplate}', ${args.join(', ')})`,
          'WorkGroup': this.workGroupName,
        },
        ResultPath: null,
      },
    });
    // Two steps, as a Pass can only place a result object: compute the URI, then merge it over the item.
    const useResult = new sfn.Pass(scope, FEATURE_QUERY_STATES.useResult, {
      comment: 'The training channel reads the query result instead of the dataset prefix',
      parameters: { 'datasetUri.$': `States.Format('s3://{}/{}${TRAINING_INPUT_SUFFIX}', $.outputBucket, $.outputPrefix)` },
      resultPath: '$.featureSet',
    });
    const setUri = new sfn.Pass(scope, FEATURE_QUERY_STATES.setUri, { parameters: { 'item.$': 'States.JsonMerge($, $.featureSet, false)' }, outputPath: '$.item' });
    return { chain: query.next(useResult).next(setUri), catchable: [query] };
  }

  /**
   * What the state machine needs to run the query: the workgroup, the tables' metadata, the
   * offline stores (read), and the run prefixes and Athena results (write), with the data lake key.
   */
  grantQuery(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const { dataLake, modelName } = this.props;
    const grants = [
      iam.Grant.addToPrincipal({ grantee, actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'], resourceArns: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName })] }),
      iam.Grant.addToPrincipal({ grantee, actions: ['glue:GetDatabase', 'glue:GetTable'], resourceArns: [...new Set(this.featureGroupNames.flatMap((g) => glueArns(stack, this.props.query.labels.database, g.replace(/-/g, '_'))))] }),
      iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetBucketLocation'], resourceArns: [dataLake.datasetsBucket.bucketArn, dataLake.artifactsBucket.bucketArn] }),
      ...this.featureGroupNames.map((g) => dataLake.grantReadDatasets(grantee, offlineStorePrefix(g))),
      ...[this.resultsPrefix, `runs/${modelName}/`, `experiments/${modelName}/`].map((p) => dataLake.grantWriteArtifacts(grantee, p)),
    ];
    return grants.reduce((all, g) => all.combine(g));
  }
}
