import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/shared/env';
import { DRIFT_STATE, MONITORING_ENV } from '../../lambda/shared/monitoring/constants';
import { MlopsFunction } from '../common/mlops-function';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { IDataLake } from '../data-lake/data-lake-base';
import { IModelRegistry } from '../model-registry/model-registry-base';

/** Where the drift loop reads predictions and baselines, and keeps its rate-limit state. */
export interface DriftLoopProps {
  /** Data lake holding the predictions archive (read) and the runs' baselines (read, `runs/`). */
  readonly dataLake: IDataLake;
  /** Registry: the production version of each (model, category) and its run. */
  readonly registry: IModelRegistry;
  /**
   * Table for the drift-retrain rate-limit items (`DRIFT#<model>`, string keys `pk` / `sk`).
   * @default - the registry table (its items never start with `DRIFT#`)
   */
  readonly stateTable?: dynamodb.ITable;
  /**
   * Key of `stateTable` when it is a customer-managed key.
   * @default - the registry's key when stateTable is not given, else none
   */
  readonly stateTableKey?: kms.IKey;
  /**
   * The one model this loop serves (a model's own stack): the functions then read only that
   * model's predictions and run outputs and write only its rate-limit item.
   * @default - every model of the platform
   */
  readonly model?: string;
}

/** The two drift functions, created once per MlopsMonitoring (not exported from the package). */
export class DriftLoop extends Construct {
  readonly computeFunction: MlopsFunction;
  readonly retrainFunction: MlopsFunction;

  constructor(scope: Construct, id: string, props: DriftLoopProps & { logRetention: logs.RetentionDays }) {
    super(scope, id);
    this.computeFunction = new MlopsFunction(this, 'ComputeFunction', {
      handlerName: 'drift-compute',
      description: 'Computes PSI drift of a batch of predictions against the scoring version\'s baseline and publishes it',
      environment: {
        [ENV.registryTable]: props.registry.tableName,
        [ENV.artifactsBucket]: props.dataLake.artifactsBucket.bucketName,
        [ENV.predictionsBucket]: props.dataLake.predictionsBucket.bucketName,
      },
      // A day of predictions for one category is streamed line by line; 5 minutes covers millions of lines.
      timeout: Duration.minutes(5),
      memorySize: 1024,
      logRetention: props.logRetention,
    });
    const predictionsPrefix = props.model === undefined ? '' : `${props.model}/`;
    const runsPrefix = `runs/${predictionsPrefix}`;
    props.dataLake.grantReadPredictions(this.computeFunction, predictionsPrefix || undefined);
    props.dataLake.grantReadArtifacts(this.computeFunction, runsPrefix);
    props.registry.grantRead(this.computeFunction);

    const stateTable = props.stateTable ?? props.registry.table;
    const stateKey = props.stateTable ? props.stateTableKey : (props.stateTableKey ?? props.registry.encryptionKey);
    this.retrainFunction = new MlopsFunction(this, 'RetrainFunction', {
      handlerName: 'drift-retrain',
      description: 'Starts a model\'s training pipeline when its drift alarm fires, at most once per cooldown',
      environment: { [MONITORING_ENV.driftStateTable]: stateTable.tableName },
      logRetention: props.logRetention,
      asynchronous: true,
    });
    // Only its own items: the partition key must start with DRIFT# (be the model's, for one model).
    this.retrainFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resources: [stateTable.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [props.model === undefined ? `${DRIFT_STATE.pkPrefix}*` : DRIFT_STATE.pk(props.model)] } },
    }));
    stateKey?.grant(this.retrainFunction, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*');

    const common = [F.lambdaBasicExecution(), F.actionsWithoutResourceLevelPermissions(), F.lambdaRuntime()];
    // Without `model` one drift function serves every model: it reads any model's predictions and the baseline of any production run (read only).
    acknowledgeNag(this.computeFunction, ...common,
      F.objectsUnder(this, props.dataLake.predictionsBucket.bucketArn, predictionsPrefix),
      F.objectsUnder(this, props.dataLake.artifactsBucket.bucketArn, runsPrefix),
      F.registryIndex(this, props.registry.tableArn));
    acknowledgeNag(this.retrainFunction, ...common, F.kmsDataKeys());
  }

  /** Rule: the model's drift alarm entering ALARM invokes the retrain function for its pipeline. */
  addRetrainRule(scope: Construct, id: string, model: string, alarm: cloudwatch.IAlarm, pipeline: sfn.IStateMachine, cooldown: Duration): events.Rule {
    pipeline.grantStartExecution(this.retrainFunction);
    // Whether the run holding the rate-limit slot failed in data validation (then it frees the slot).
    const describe = pipeline.grantExecution(this.retrainFunction, 'states:DescribeExecution');
    acknowledgeNag(this.retrainFunction, ...describe.principalStatements.flatMap((st) => st.resources).map((executions) => F.executionsOf(this.retrainFunction, executions)));
    return new events.Rule(scope, id, {
      description: `Drift of ${model}: starts its training pipeline (rate-limited) when the drift alarm goes to ALARM`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [alarm.alarmArn],
        detail: { state: { value: ['ALARM'] } },
      },
      targets: [new targets.LambdaFunction(this.retrainFunction, {
        event: events.RuleTargetInput.fromObject({
          model,
          stateMachineArn: pipeline.stateMachineArn,
          cooldownSeconds: cooldown.toSeconds(),
          alarmName: events.EventField.fromPath('$.detail.alarmName'),
          state: events.EventField.fromPath('$.detail.state.value'),
          reason: events.EventField.fromPath('$.detail.state.reason'),
          time: events.EventField.time,
        }),
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
      })],
    });
  }
}
