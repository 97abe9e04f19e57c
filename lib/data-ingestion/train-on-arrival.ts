import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { MlopsFunction } from '../common/mlops-function';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { INGESTION_ENV, INGESTION_EVENTS } from '../../lambda/shared/ingestion/constants';
import { TrainOnArrivalConfig } from '../../lambda/shared/ingestion/trigger';

/** Props of {@link TrainOnArrival}. */
export interface TrainOnArrivalProps {
  /** The model whose `Data Arrived` events start training. */
  readonly model: string;
  /** The model's training pipeline. */
  readonly stateMachine: sfn.IStateMachine;
  /**
   * Retention of the function's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * `data.ingestion.triggersTraining`: an EventBridge rule on the model's `Data Arrived` events
 * invokes a function that starts the training pipeline for the window's date (the folder its
 * parts are filed under), once per window: the execution is named `<model>-<date>-<HHmm>-<N>m`,
 * so a repeated event starts nothing new. (A rule's Step Functions target cannot name the
 * execution, hence the function.)
 */
export class TrainOnArrival extends Construct {
  readonly rule: events.Rule;
  readonly function: MlopsFunction;

  constructor(scope: Construct, id: string, props: TrainOnArrivalProps) {
    super(scope, id);
    const config: TrainOnArrivalConfig = { model: props.model, stateMachineArn: props.stateMachine.stateMachineArn };
    this.function = new MlopsFunction(this, 'Function', {
      handlerName: 'ingestion-train-on-arrival', description: `Starts ${props.model}'s training once per delivered ingestion window`,
      environment: { [INGESTION_ENV.trainOnArrival]: Stack.of(this).toJsonString(config) },
      logRetention: props.logRetention,
    });
    props.stateMachine.grantStartExecution(this.function);
    this.rule = new events.Rule(this, 'Rule', {
      description: `Data of ${props.model} arrived (data.ingestion.triggersTraining): start its training for that window's date`,
      eventPattern: { source: [INGESTION_EVENTS.source], detailType: [INGESTION_EVENTS.dataArrived], detail: { model: [props.model] } },
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 4, maxEventAge: Duration.hours(2) })],
    });
    acknowledgeNag(this.function, F.lambdaBasicExecution(), F.lambdaRuntime(), F.actionsWithoutResourceLevelPermissions());
  }
}
