import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** The states a pre-training step adds to each category's branch. */
export interface PreTrainingStepConfig {
  /** Runs after the run is recorded and before the training job; gets and passes on the run item. */
  readonly chain: sfn.IChainable;
  /** States whose failure fails the category (each gets the branch's failure catch). */
  readonly catchable: sfn.CustomState[];
}

/**
 * Work a category's run needs done before its training job, e.g. building the `training`
 * channel from the feature store (FeatureQueryStep). It may point `$.datasetUri` elsewhere.
 */
export interface IPreTrainingStep {
  /** Creates the states under `scope`. */
  bind(scope: Construct): PreTrainingStepConfig;
}
