// The local code behind each Task state of the training state machine, by state name: the real
// handler functions with injected dependencies (emulators), the training job on a stand-in that
// runs the model's command under the container contract. Tests and local mode share this map.
import { TRAINING_ENV, TRAINING_STATES as S } from '../../lambda/shared/training/constants';
import { TrainingDeps } from '../../lambda/shared/training/deps';
import { PipelineConfig } from '../../lambda/shared/training/types';
import { evaluateRun } from '../../lambda/training-evaluate';
import { gate } from '../../lambda/training-gate';
import { planExecution } from '../../lambda/training-plan';
import { recordRun } from '../../lambda/training-record-run';
import { summarizeExecution } from '../../lambda/training-summarize';
import { validateTrainingData } from '../../lambda/training-validate-data';
import { AslDefinition, LocalTaskHandler, ResolveContext, resolveIntrinsics } from '../asl';

/** The Tasks that are not Lambda functions: they stand in for AWS services. */
export interface TrainingTasks {
  /** The training job (a SageMaker CreateTrainingJob or Batch SubmitJob request). */
  readonly train: LocalTaskHandler;
  /** StartBatchInference (states:startExecution), when the pipeline scores after training. @default - the state must not be in the definition */
  readonly startBatchInference?: LocalTaskHandler;
}

/** Optional states (approval, promotion) mapped only when the definition has them. */
const OPTIONAL: Record<string, (e: never, deps: TrainingDeps) => unknown> = {
  [S.promote]: gate, [S.requestApproval]: gate, [S.applyApproval]: gate, [S.approvalTimedOut]: gate, [S.recordApprovalFailure]: recordRun,
};

/** Every Task state of a training definition mapped to local code. */
export function trainingTaskHandlers(definition: AslDefinition, deps: TrainingDeps, tasks: TrainingTasks): Record<string, LocalTaskHandler> {
  const handlers: Record<string, LocalTaskHandler> = {
    [S.plan]: (e) => planExecution(e, deps),
    [S.validateData]: (e) => validateTrainingData(e, deps),
    [S.notifyAborted]: (e) => summarizeExecution(e, deps),
    [S.startRun]: (e) => recordRun(e, deps),
    [S.train]: tasks.train,
    [S.classifyFailure]: (e) => recordRun(e, deps),
    [S.evaluate]: (e) => evaluateRun(e, deps),
    [S.gate]: (e) => gate(e, deps),
    [S.recordFailure]: (e) => recordRun(e, deps),
    [S.recordRejectedData]: (e) => recordRun(e, deps),
    [S.summarize]: (e) => summarizeExecution(e, deps),
  };
  if (tasks.startBatchInference) handlers[S.startBatchInference] = tasks.startBatchInference;
  const states = JSON.stringify(definition);
  for (const [state, h] of Object.entries(OPTIONAL)) {
    if (states.includes(`"${state}"`)) handlers[state] = (e) => h(e as never, deps);
  }
  return handlers;
}

type Resources = Record<string, { Type?: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }>;

/** The pipeline configuration the construct gave its handlers (the plan function's environment). */
export function trainingConfigFromTemplate(template: { Resources?: Resources }, ctx: Omit<ResolveContext, 'resources'> = {}): PipelineConfig {
  const fns = Object.values(template.Resources ?? {})
    .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Environment?.Variables?.[TRAINING_ENV.config] !== undefined);
  if (fns.length === 0) throw new Error(`no Lambda function with ${TRAINING_ENV.config} in the template: is there a TrainingPipeline in this stack?`);
  return JSON.parse(resolveIntrinsics(fns[0].Properties!.Environment!.Variables![TRAINING_ENV.config], { ...ctx, resources: template.Resources as ResolveContext['resources'] }) as string) as PipelineConfig;
}
