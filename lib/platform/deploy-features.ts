// `features` of one model: its feature groups (created in its stack, so a model's stack owns what
// its spec declares and adding a group touches no other template; other models join them by name,
// which fixes the ARN and the Glue table), and the feature query that builds each run's training
// channel. Called from ModelDeployment.
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { NagFindings, acknowledgeNag } from '../common/nag';
import { IDataLake } from '../data-lake/data-lake-base';
import { FEATURE_STORE_DATABASE, MlopsFeatureGroup, offlineStorePrefix, offlineStoreTable } from '../feature-store/feature-group';
import { FeatureQuery } from '../feature-store/feature-query';
import { ModelSpec } from '../spec/model-spec';
import { TrainingPipeline } from '../training-pipeline/training-pipeline';
import { INGEST_JOB_ENV } from '../../lambda/shared/ingestion/constants';

export interface DeployFeaturesProps {
  readonly spec: ModelSpec;
  readonly dataLake: IDataLake;
}

/** A model's feature store resources. */
export class ModelFeatures extends Construct {
  readonly groups: MlopsFeatureGroup[];
  /** The pre-training query, when the spec declares `features.training`. */
  readonly query?: FeatureQuery;
  private readonly props: DeployFeaturesProps;

  constructor(scope: Construct, id: string, props: DeployFeaturesProps) {
    super(scope, id);
    this.props = props;
    const f = props.spec.features!;
    this.groups = f.groups.map((g) => new MlopsFeatureGroup(this, g.name, {
      featureGroupName: g.name, dataLake: props.dataLake, description: g.description,
      recordIdentifier: g.recordIdentifier, eventTime: g.eventTime, features: g.definitions, onlineStore: g.online,
    }));
    const t = f.training;
    if (!t) return;
    const labels = f.groups.find((g) => g.name === t.labels)!;
    // Each training set column's type from its group's declaration (another model's groups are not known here).
    const typeIn = (group: string, names: string[]) => names.flatMap((n) => {
      const d = f.groups.find((g) => g.name === group)?.definitions.find((x) => x.name === n);
      return d ? [[n, d.type] as const] : [];
    });
    const columnTypes = Object.fromEntries([
      ...typeIn(labels.name, [labels.recordIdentifier, labels.eventTime, ...t.columns]),
      ...t.join.flatMap((j) => typeIn(j.group, j.features)),
    ]);
    this.query = new FeatureQuery(this, 'Query', {
      modelName: props.spec.name, dataLake: props.dataLake, columnTypes,
      featureGroupNames: [t.labels, ...t.join.map((j) => j.group)],
      query: {
        labels: { database: FEATURE_STORE_DATABASE, table: offlineStoreTable(labels.name), recordIdentifier: labels.recordIdentifier, eventTime: labels.eventTime, columns: t.columns, categoryColumn: t.category },
        joins: t.join.map((j) => ({ database: FEATURE_STORE_DATABASE, table: offlineStoreTable(j.group), key: j.key, recordIdentifier: j.recordIdentifier, eventTime: j.eventTime, features: j.features })),
      },
    });
  }

  /** The state machine runs the query; the training job reads its result. */
  grantTraining(pipeline: TrainingPipeline): void {
    if (!this.query) return;
    const { dataLake, spec } = this.props;
    this.query.grantQuery(pipeline.stateMachine);
    for (const p of [`runs/${spec.name}/`, `experiments/${spec.name}/`]) dataLake.grantReadArtifacts(pipeline.trainingRole, p);
    acknowledgeNag(pipeline,
      ...[this.query.resultsPrefix, `runs/${spec.name}/`, `experiments/${spec.name}/`].map((p) => NagFindings.objectsUnder(pipeline, dataLake.artifactsBucket.bucketArn, p)),
      ...this.query.featureGroupNames.map((g) => NagFindings.objectsUnder(pipeline, dataLake.datasetsBucket.bucketArn, offlineStorePrefix(g))),
    );
  }

  /**
   * Lets the model's ingestion job put records into every group of this model, and names them in
   * its environment (`MLOPS_FEATURE_GROUPS`, comma-separated).
   */
  grantWrite(job: ecs.TaskDefinition): void {
    this.groups.forEach((g) => g.grantWrite(job.taskRole));
    // The default container is the job's own (the permissions step before it is not essential).
    job.defaultContainer?.addEnvironment(INGEST_JOB_ENV.featureGroups, this.groups.map((g) => g.featureGroupName).join(','));
  }
}

/** The model's feature store resources when its spec declares `features`, else undefined (nothing is created). */
export function deployFeatures(scope: Construct, props: DeployFeaturesProps): ModelFeatures | undefined {
  return props.spec.features ? new ModelFeatures(scope, 'Features', props) : undefined;
}
