import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { METRICS } from '../../lambda/shared/contract';
import { CategoryMetricOptions, categoryMetric } from '../common/category-metric';
import { validateImportedArn, validateImportedModelName } from '../common/import-attributes';

/** The training pipeline of one model: a Step Functions state machine, one run per category. */
export interface ITrainingPipeline extends IConstruct {
  /** Name of the model it trains (the `Model` dimension of its published metrics). */
  readonly modelName: string;
  /** The training state machine. */
  readonly stateMachine: sfn.IStateMachine;

  /** Start executions (ad-hoc runs, experiments, `mlops train`). */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant;
  /** Approve or reject waiting versions (SendTaskSuccess / SendTaskFailure on this state machine's tokens). */
  grantApprove(grantee: iam.IGrantable): iam.Grant;

  /** Failed executions (AWS/States ExecutionsFailed, Sum over 5 minutes). */
  metricExecutionsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Succeeded executions (AWS/States ExecutionsSucceeded, Sum over 5 minutes). */
  metricExecutionsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions that hit the state machine's timeout (AWS/States ExecutionsTimedOut, Sum over 5 minutes). */
  metricExecutionsTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Execution duration in milliseconds (AWS/States ExecutionTime, Average over 5 minutes). */
  metricExecutionTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /**
   * Failed training runs (CdkMlops TrainingRunsFailed, Sum over 5 minutes): a category can fail
   * while its execution succeeds, so this counts what executions do not.
   */
  metricRunsFailed(props?: CategoryMetricOptions): cloudwatch.Metric;
  /** Succeeded training runs (CdkMlops TrainingRunsSucceeded, Sum over 5 minutes). */
  metricRunsSucceeded(props?: CategoryMetricOptions): cloudwatch.Metric;
}

/** Attributes of a training pipeline defined elsewhere, for {@link TrainingPipeline.fromTrainingPipelineAttributes}. */
export interface TrainingPipelineAttributes {
  /** Name of the model the pipeline trains. */
  readonly modelName: string;
  /** ARN of the training state machine. */
  readonly stateMachineArn: string;
}

/** Grants and metrics shared by the training pipeline and imported ones. */
export abstract class TrainingPipelineBase extends Construct implements ITrainingPipeline {
  abstract readonly modelName: string;
  abstract readonly stateMachine: sfn.IStateMachine;

  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  grantApprove(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantTaskResponse(grantee);
  }

  metricExecutionsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  metricExecutionsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  metricExecutionsTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTimedOut(props);
  }

  metricExecutionTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTime(props);
  }

  metricRunsFailed(props?: CategoryMetricOptions): cloudwatch.Metric {
    return categoryMetric(METRICS.runsFailed, this.modelName, 'Sum', props);
  }

  metricRunsSucceeded(props?: CategoryMetricOptions): cloudwatch.Metric {
    return categoryMetric(METRICS.runsSucceeded, this.modelName, 'Sum', props);
  }
}

/** A training pipeline known by its state machine ARN (another stack, another account). */
export class ImportedTrainingPipeline extends TrainingPipelineBase {
  readonly modelName: string;
  readonly stateMachine: sfn.IStateMachine;

  constructor(scope: Construct, id: string, attrs: TrainingPipelineAttributes) {
    super(scope, id);
    validateImportedModelName('TrainingPipeline.fromTrainingPipelineAttributes', 'modelName', attrs.modelName);
    validateImportedArn('TrainingPipeline.fromTrainingPipelineAttributes', 'stateMachineArn', attrs.stateMachineArn,
      'states', /^stateMachine:[A-Za-z0-9_-]{1,80}$/, 'arn:aws:states:<region>:<account>:stateMachine:<name>');
    this.modelName = attrs.modelName;
    this.stateMachine = sfn.StateMachine.fromStateMachineArn(this, 'StateMachine', attrs.stateMachineArn);
  }
}
