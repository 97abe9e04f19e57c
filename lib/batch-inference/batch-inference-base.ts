import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';

/**
 * Batch inference of one model: a state machine that scores with the production version and
 * loads predictions (with TTL) into the predictions table.
 *
 * Execution input: `{ "model": string, "executionDate": "YYYY-MM-DD", "categories"?: string[] }`
 * (categories default to the model's declared categories).
 */
export interface IBatchInference extends IConstruct {
  /** The batch inference state machine; the training pipeline starts it after a promotion. */
  readonly stateMachine: sfn.IStateMachine;
}
