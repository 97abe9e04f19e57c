import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ColumnDefinition, DataFormat } from './training-policies';

/** The states a pre-training step adds to each category's branch. */
export interface PreTrainingStepConfig {
  /**
   * Runs first in the branch, before ValidateData, on the planned run (`$.model`, `$.category`,
   * `$.runId`, `$.experiment`, ...), and passes it on.
   */
  readonly chain: sfn.IChainable;
  /** States whose failure fails the category (each gets the branch's rejected-data catch). */
  readonly catchable: sfn.CustomState[];
}

/**
 * The training channel a pre-training step writes under each run's prefix. ValidateData checks
 * it there (instead of the dataset prefix) before the run starts, and the training job reads it.
 */
export interface PreTrainingChannel {
  /** Where under the run's prefix (`runs/<model>/<runId>/`, or `experiments/...`) the channel is, ending in "/". */
  readonly runSubPrefix: string;
  /** Format of its objects (gzip-compressed objects are read too). */
  readonly format: DataFormat;
  /** Its columns and their types; they replace `dataValidation.columns`. */
  readonly columns: ColumnDefinition[];
  /**
   * A timestamp column: `dataValidation.maxAge` applies to its newest value instead of the newest
   * object's write time (the step writes the objects just before validation).
   * @default - maxAge is not checked
   */
  readonly eventTimeColumn?: string;
}

/**
 * Builds a category's training channel before its data validation and training job, e.g. the
 * feature store query (FeatureQuery) that writes the point-in-time join under the run's prefix.
 */
export interface IPreTrainingStep {
  /** The channel the step writes (validated, then trained on). */
  readonly trainingChannel: PreTrainingChannel;
  /** Creates the states under `scope`. */
  bind(scope: Construct): PreTrainingStepConfig;
}
