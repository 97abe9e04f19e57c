import { Duration, Size, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as v from '../../lambda/shared/registry/validate';
import { wholeNumberProp as wholeNumber } from '../common/validate-props';
import { IDataLake } from '../data-lake/data-lake-base';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { IPredictionStore } from '../prediction-store/prediction-store-base';

/** Props of {@link BatchInference}. */
export interface BatchInferenceProps {
  /** The model (registry name, e.g. "demand-forecast"). */
  readonly model: string;
  /**
   * The model's declared categories, scored when an execution names none.
   * @default - executions must name their categories
   */
  readonly categories?: string[];
  /** Datasets (scoring input), artifacts (model files) and the predictions archive. */
  readonly dataLake: IDataLake;
  /** The registry that names the production version of each category. */
  readonly registry: IModelRegistry;
  /** The predictions table. */
  readonly predictionStore: IPredictionStore;
  /**
   * How long loaded predictions are valid (expiresAt = generatedAt + ttl).
   * @default Duration.hours(72) - the reference RPO of 3 days
   */
  readonly predictionTtl?: Duration;
  /**
   * Scoring image (ECR URI) for versions that record no image.
   * @default - the image each version was registered with
   */
  readonly scoringImage?: string;
  /**
   * ECR repository of the model's images. The scoring role may pull from it only, and a
   * version whose image lies elsewhere (other than `scoringImage`) is rejected before scoring.
   * @default - no pull permission: only images the role can otherwise pull score
   */
  readonly scoringImageRepository?: ecr.IRepository;
  /**
   * Instance type of the scoring jobs.
   * @default m5.xlarge
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Volume size of the scoring jobs.
   * @default Size.gibibytes(30)
   */
  readonly volumeSize?: Size;
  /**
   * Longest a scoring job may run.
   * @default Duration.hours(4)
   */
  readonly maxScoringRuntime?: Duration;
  /**
   * Categories scored at the same time.
   * @default 4
   */
  readonly scoringConcurrency?: number;
  /**
   * Part files loaded at the same time (each loader writes with 4 concurrent BatchWriteItem calls).
   * @default 10
   */
  readonly loadConcurrency?: number;
  /**
   * Predictions per part file (one loader invocation each).
   * @default 10000
   */
  readonly linesPerPart?: number;
  /**
   * Largest share (0-1) of a category's prediction lines that may be invalid (not JSON, an
   * entity id the server rejects, a prediction DynamoDB cannot store). Above it, or with no
   * valid line at all, the category fails before anything is loaded; below it, invalid lines
   * are skipped and counted in the PredictionsFailed metric.
   * @default 0.01
   */
  readonly maxInvalidPredictionShare?: number;
  /**
   * Runs the batch on its own schedule (execution date = the event's date).
   * @default - only started by the training pipeline or by hand
   */
  readonly schedule?: events.Schedule;
  /**
   * Score a version as soon as it is promoted without fresh predictions (two-phase promotion):
   * a rule on the registry's `Model Promoted` events starts this state machine for exactly that
   * (category, version), and servers switch to it once it is loaded.
   * @default true
   */
  readonly scoreOnPromotion?: boolean;
  /**
   * Event bus the registry publishes its change events on.
   * @default - the account's default event bus (where ModelRegistry publishes unless given another)
   */
  readonly registryEventBus?: events.IEventBus;
  /**
   * Longest an execution may run.
   * @default Duration.hours(12)
   */
  readonly timeout?: Duration;
  /**
   * Function invoked after a category's predictions are loaded, with
   * `{ model, category, executionDate }` (e.g. `MlopsMonitoring.driftComputeFunction`, which
   * publishes the prediction drift). Its failure is logged in the execution and does not fail
   * the batch: predictions are already served.
   * @default - nothing runs after loading
   */
  readonly driftFunction?: lambda.IFunction;
  /**
   * Retention of the function logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Retention of the state machine's execution logs: audit logs, holding every state's input and
   * output (encrypted with the stack's log key).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly auditLogRetention?: logs.RetentionDays;
}

/** What BatchInference checks before building anything; the shared resources are not checked. */
export type BatchInferenceChecked = Omit<BatchInferenceProps, 'dataLake' | 'registry' | 'predictionStore'>;

export function validateBatchInferenceProps(props: BatchInferenceChecked): void {
  if (!Token.isUnresolved(props.model)) {
    try { v.modelName('model', props.model); } catch (e) { throw new Error((e as Error).message); }
  }
  props.categories?.forEach((c, i) => {
    if (!Token.isUnresolved(c)) {
      try { v.category(`categories[${i}]`, c); } catch (e) { throw new Error((e as Error).message); }
    }
  });
  const ttl = props.predictionTtl;
  if (ttl && !Token.isUnresolved(ttl.toSeconds()) && (ttl.toSeconds() < 3600 || ttl.toSeconds() > 90 * 86400)) {
    throw new Error(`predictionTtl must be between 1 hour and 90 days, but ${ttl.toHumanString()} was provided`);
  }
  wholeNumber('scoringConcurrency', props.scoringConcurrency, 1, 40);
  wholeNumber('loadConcurrency', props.loadConcurrency, 1, 1000);
  wholeNumber('linesPerPart', props.linesPerPart, 100, 100_000);
  const share = props.maxInvalidPredictionShare;
  if (share !== undefined && !Token.isUnresolved(share) && !(share >= 0 && share < 1)) {
    throw new Error(`maxInvalidPredictionShare must be at least 0 and below 1 (a share of the lines, e.g. 0.01 for 1%), but ${share} was provided`);
  }
}
