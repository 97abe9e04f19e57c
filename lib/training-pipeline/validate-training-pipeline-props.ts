import { Token } from 'aws-cdk-lib';
import {
  CATEGORY_RULE, HYPERPARAMETER_NAME_RULE, METRIC_NAME_RULE, MODEL_NAME_RULE, isCategory, isHyperparameterName, isMetricName, isModelName,
} from '../../lambda/shared/names-and-numbers';
import { wholeNumberProp as wholeBetween } from '../common/validate-props';
import { DataLake } from '../data-lake/data-lake';
import { IDataLake } from '../data-lake/data-lake-base';
import type { TrainingPipelineProps } from './training-pipeline';

// The same rules as the registry core (lambda/shared/names-and-numbers.ts), checked at synth
// time so a bad name fails `cdk synth` instead of the first run.

function isNum(v: number | undefined): v is number {
  return v !== undefined && !Token.isUnresolved(v);
}

/** What TrainingPipeline checks before building anything; the data lake only for the data-arrival trigger. */
export type TrainingPipelineChecked = Omit<TrainingPipelineProps, 'dataLake' | 'registry' | 'backend'> & { readonly dataLake?: IDataLake };

export function validateTrainingPipelineProps(props: TrainingPipelineChecked): void {
  if (!Token.isUnresolved(props.modelName) && !isModelName(props.modelName)) {
    throw new Error(`modelName must be ${MODEL_NAME_RULE}, but '${props.modelName}' was provided`);
  }
  if (!Array.isArray(props.categories) || props.categories.length === 0) {
    throw new Error(`categories must list at least one category (one model is trained per category, e.g. ['books']), but ${JSON.stringify(props.categories)} was provided`);
  }
  if (props.categories.length > 200) {
    throw new Error(`categories must list at most 200 categories, but ${props.categories.length} were provided: split the model or use a Distributed Map`);
  }
  const seen = new Set<string>();
  for (const c of props.categories) {
    if (Token.isUnresolved(c)) continue;
    if (!isCategory(c)) throw new Error(`categories must be ${CATEGORY_RULE}, but '${c}' was provided`);
    if (seen.has(c)) throw new Error(`categories must be unique, but '${c}' was provided twice`);
    seen.add(c);
  }
  wholeBetween('maxConcurrency', props.maxConcurrency, 1, 40, ' (training jobs of one execution running at once)');
  if (isNum(props.toleratedFailurePercentage) && !(props.toleratedFailurePercentage >= 0 && props.toleratedFailurePercentage <= 100)) {
    throw new Error(`toleratedFailurePercentage must be between 0 and 100, but ${props.toleratedFailurePercentage} was provided: give the percentage of categories that may fail while the execution succeeds, e.g. 25`);
  }
  wholeBetween('trainingAttempts', props.trainingAttempts, 1, 10);
  const approval = props.approvalTimeout?.toSeconds();
  if (approval !== undefined && (approval < 60 || approval > 364 * 24 * 3600)) {
    throw new Error(`approvalTimeout must be between 1 minute and 364 days, but ${props.approvalTimeout!.toHumanString()} was provided`);
  }
  if (props.approvalTimeout && (props.promotion ?? 'auto') !== 'manual') {
    throw new Error(`approvalTimeout was given but promotion is '${props.promotion ?? 'auto'}': set promotion to PromotionMode.MANUAL or drop approvalTimeout`);
  }
  const e = props.evaluation;
  if (!e || (!Token.isUnresolved(e.metric) && !isMetricName(e.metric))) {
    throw new Error(`evaluation.metric must be ${METRIC_NAME_RULE} (a key of metrics.json), but ${JSON.stringify(e?.metric)} was provided`);
  }
  if (isNum(e.minImprovement) && (!Number.isFinite(e.minImprovement) || e.minImprovement < 0)) {
    throw new Error(`evaluation.minImprovement must be 0 or more (in metric units), but ${e.minImprovement} was provided`);
  }
  if (isNum(e.threshold) && !Number.isFinite(e.threshold)) {
    throw new Error(`evaluation.threshold must be a finite number, but ${e.threshold} was provided`);
  }
  for (const k of Object.keys(props.hyperparameters ?? {})) {
    if (!isHyperparameterName(k)) throw new Error(`hyperparameters key '${k}' is invalid: use ${HYPERPARAMETER_NAME_RULE}`);
  }
  const d = props.dataValidation ?? {};
  wholeBetween('dataValidation.minRows', d.minRows, 0, Number.MAX_SAFE_INTEGER);
  wholeBetween('dataValidation.sampleRows', d.sampleRows, 1, 1_000_000);
  const names = new Set<string>();
  for (const c of d.columns ?? []) {
    if (typeof c.name !== 'string' || c.name.trim() === '') throw new Error(`dataValidation.columns names must be non-empty, but ${JSON.stringify(c.name)} was provided`);
    if (names.has(c.name)) throw new Error(`dataValidation.columns must be unique, but '${c.name}' was declared twice`);
    names.add(c.name);
  }
  if (props.executionTimeout && props.executionTimeout.toSeconds() < 3600) {
    throw new Error(`executionTimeout must be at least 1 hour, but ${props.executionTimeout.toHumanString()} was provided`);
  }
  const rev = props.codeRevision;
  if (rev !== undefined && !Token.isUnresolved(rev) && (rev.trim() === '' || rev.length > 256)) {
    throw new Error(`codeRevision must be 1 to 256 characters (e.g. a git commit), but ${JSON.stringify(rev.slice(0, 300))} was provided: pass the revision or leave codeRevision out`);
  }
  if (props.servedByEndpoint && props.batchScoring !== false) {
    throw new Error('servedByEndpoint is true, but batchScoring is not false: a version with batch scoring is served once its predictions are loaded; set batchScoring: false (online inference only), or drop servedByEndpoint');
  }
  if (props.batchScoring === false && props.batchInference) {
    throw new Error('batchScoring is false (promoted versions served at once, for a model without batch inference), but batchInference was provided: drop batchScoring, or drop batchInference');
  }
  validateDataArrival(props);
}

// The data-arrival rule matches S3 "Object Created" events, which the datasets bucket only sends
// to EventBridge when told to. Without them the rule never fires and nothing says why. Only a
// DataLake that created its datasets bucket can be checked; for an imported data lake or an
// existing bucket the README says what to enable.
function validateDataArrival(props: TrainingPipelineChecked): void {
  if (!props.dataArrivalTrigger || !(props.dataLake instanceof DataLake)) return;
  if (props.dataLake.datasetsEventBridgeEnabled !== false) return;
  throw new Error(
    `dataArrivalTrigger needs EventBridge notifications on the datasets bucket, but the DataLake '${props.dataLake.node.path}' ` +
      'was created with datasetsEventBridge false: pass datasetsEventBridge: true to that DataLake, ' +
      'or drop dataArrivalTrigger and start executions by schedule or by hand',
  );
}
