import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { METRICS } from '../../lambda/shared/contract';
import { CategoryMetricOptions, categoryMetric } from '../common/category-metric';
import { validateImportedArn, validateImportedModelName } from '../common/import-attributes';

/**
 * Batch inference of one model: a state machine that scores with the production version and
 * loads predictions (with TTL) into the predictions table.
 *
 * Execution input: `{ "model": string, "executionDate": "YYYY-MM-DD", "categories"?: string[] }`
 * (categories default to the model's declared categories).
 */
export interface IBatchInference extends IConstruct {
  /** Name of the model it scores (the `Model` dimension of its published metrics). */
  readonly modelName: string;
  /** The batch inference state machine; the training pipeline starts it after a promotion. */
  readonly stateMachine: sfn.IStateMachine;

  /** Start executions (re-score a day, `mlops score`). */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant;

  /** Failed executions (AWS/States ExecutionsFailed, Sum over 5 minutes). */
  metricExecutionsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Succeeded executions (AWS/States ExecutionsSucceeded, Sum over 5 minutes). */
  metricExecutionsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Predictions loaded into the table (CdkMlops PredictionsWritten, Sum over 5 minutes). */
  metricPredictionsWritten(props?: CategoryMetricOptions): cloudwatch.Metric;
  /** Predictions the loader could not write (CdkMlops PredictionsFailed, Sum over 5 minutes). */
  metricPredictionsFailed(props?: CategoryMetricOptions): cloudwatch.Metric;
  /**
   * Epoch seconds of the newest loaded batch's generatedAt (CdkMlops PredictionsGeneratedAt,
   * Maximum over 5 minutes); freshness is now minus this.
   */
  metricPredictionsGeneratedAt(props?: CategoryMetricOptions): cloudwatch.Metric;
}

/** Attributes of a batch inference defined elsewhere, for {@link BatchInference.fromBatchInferenceAttributes}. */
export interface BatchInferenceAttributes {
  /** Name of the model it scores. */
  readonly modelName: string;
  /** ARN of the batch inference state machine. */
  readonly stateMachineArn: string;
}

/** Grants and metrics shared by batch inference and imported ones. */
export abstract class BatchInferenceBase extends Construct implements IBatchInference {
  abstract readonly modelName: string;
  abstract readonly stateMachine: sfn.IStateMachine;

  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  metricExecutionsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  metricExecutionsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  metricPredictionsWritten(props?: CategoryMetricOptions): cloudwatch.Metric {
    return categoryMetric(METRICS.predictionsWritten, this.modelName, 'Sum', props);
  }

  metricPredictionsFailed(props?: CategoryMetricOptions): cloudwatch.Metric {
    return categoryMetric(METRICS.predictionsFailed, this.modelName, 'Sum', props);
  }

  metricPredictionsGeneratedAt(props?: CategoryMetricOptions): cloudwatch.Metric {
    return categoryMetric(METRICS.predictionsGeneratedAt, this.modelName, 'Maximum', props);
  }
}

/** A batch inference known by its state machine ARN (another stack, another account). */
export class ImportedBatchInference extends BatchInferenceBase {
  readonly modelName: string;
  readonly stateMachine: sfn.IStateMachine;

  constructor(scope: Construct, id: string, attrs: BatchInferenceAttributes) {
    super(scope, id);
    validateImportedModelName('BatchInference.fromBatchInferenceAttributes', 'modelName', attrs.modelName);
    validateImportedArn('BatchInference.fromBatchInferenceAttributes', 'stateMachineArn', attrs.stateMachineArn,
      'states', /^stateMachine:[A-Za-z0-9_-]{1,80}$/, 'arn:aws:states:<region>:<account>:stateMachine:<name>');
    this.modelName = attrs.modelName;
    this.stateMachine = sfn.StateMachine.fromStateMachineArn(this, 'StateMachine', attrs.stateMachineArn);
  }
}
