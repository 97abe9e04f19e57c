import { Duration, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { layout } from '../../lambda/shared/contract';
import { FEATURE_SET_SUFFIX } from '../../lambda/shared/training/feature-set';
import { IDataLake } from '../data-lake/data-lake-base';
import { FeatureType } from '../spec/model-spec';
import { IPreTrainingStep, PreTrainingChannel, PreTrainingStepConfig } from '../training-pipeline/pre-training-step';
import { ColumnDefinition, ColumnType, DataFormat } from '../training-pipeline/training-policies';
import { AsOfQuery, asOfJoinSql, statesFormatTemplate, unloadSql } from './as-of-query';
import { glueArns, offlineStorePrefix } from './feature-group';

/** State names the query adds to each category's branch. */
export const FEATURE_QUERY_STATES = {
  location: 'FeatureSetLocation', run: 'RunFeatureSet', experiment: 'ExperimentFeatureSet', query: 'QueryFeatures',
} as const;

/** How ValidateData checks a feature type in the query result (JSON lines). */
const COLUMN_TYPES: Record<FeatureType, ColumnType> = {
  [FeatureType.INTEGRAL]: ColumnType.INTEGER, [FeatureType.FRACTIONAL]: ColumnType.NUMBER, [FeatureType.STRING]: ColumnType.STRING,
};

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
   * Types of the training set's columns by name (from the feature definitions), so ValidateData
   * type-checks the query result.
   * @default - only the labels' event time is checked (present, an ISO-8601 timestamp)
   */
  readonly columnTypes?: Record<string, FeatureType>;
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
 * with the data lake key, a per-query scan limit) and, first in each category's branch, an
 * UNLOAD of the point-in-time join to `<run prefix>input/training/` (JSON lines, gzip), which
 * ValidateData checks and the job reads as its `training` channel.
 */
export class FeatureQuery extends Construct implements IPreTrainingStep {
  readonly workGroupName: string;
  /** The query template (`States.Format` slots: cutoff, [category,] bucket, run prefix; it appends the channel's sub-prefix). */
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
    this.queryTemplate = statesFormatTemplate(unloadSql(select, `s3://${MARK}/${MARK}${FEATURE_SET_SUFFIX}`).replace(/\s*\n\s*/g, ' '), MARK);
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

  /**
   * The query result as ValidateData checks it: JSON lines with the labels' identifier, event
   * time and columns (required), then the joined features (null when the group has no record
   * at or before the row's time, so nullable). maxAge applies to the newest labels event time.
   */
  get trainingChannel(): PreTrainingChannel {
    const { labels, joins } = this.props.query;
    const types = this.props.columnTypes ?? {};
    const column = (name: string, nullable: boolean, type?: ColumnType): ColumnDefinition[] => {
      const t = type ?? (types[name] === undefined ? undefined : COLUMN_TYPES[types[name]]);
      // A column of unknown type (another model's group) is not checked: ColumnType has no "any".
      return t === undefined ? [] : [{ name, type: t, nullable }];
    };
    return {
      runSubPrefix: FEATURE_SET_SUFFIX,
      format: DataFormat.JSONL,
      columns: [
        ...column(labels.recordIdentifier, false),
        ...column(labels.eventTime, false, ColumnType.TIMESTAMP),
        ...labels.columns.flatMap((c) => column(c, false)),
        ...joins.flatMap((j) => j.features.flatMap((f) => column(f, true))),
      ],
      eventTimeColumn: labels.eventTime,
    };
  }

  bind(scope: Construct): PreTrainingStepConfig {
    // The labels cutoff is the execution's reference time (its scheduled time, or the end of its
    // executionDate), as for ValidateData's maxAge: a backfill or rerun of a date sees that date's labels.
    const args = ['$.referenceTime', ...(this.props.query.labels.categoryColumn ? ['$.category'] : []), '$.featureSet.bucket', '$.featureSet.runPrefix'];
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
    // Before the run starts, so its prefix comes from the planned run, as the handlers' runItem
    // derives it (layout.runPrefix + the channel's sub-prefix); intrinsics cannot branch on a boolean.
    const location = (id: string, experiment: boolean) => new sfn.Pass(scope, id, {
      parameters: {
        bucket: this.props.dataLake.artifactsBucket.bucketName,
        'runPrefix.$': `States.Format('${statesFormatTemplate(layout.runPrefix(this.props.modelName, MARK, experiment), MARK)}', $.runId)`,
      },
      resultPath: '$.featureSet',
    }).next(query);
    const choice = new sfn.Choice(scope, FEATURE_QUERY_STATES.location, { comment: 'The query writes the training channel under the run\'s prefix' })
      .when(sfn.Condition.booleanEquals('$.experiment', true), location(FEATURE_QUERY_STATES.experiment, true))
      .otherwise(location(FEATURE_QUERY_STATES.run, false));
    return { chain: sfn.Chain.custom(choice, [query], query), catchable: [query] };
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
