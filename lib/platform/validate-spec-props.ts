// A spec problem is found once, at the field that caused it: the loader maps a spec to the props
// the platform will build and runs each construct's own validator on them, so the two layers
// cannot disagree. A validator's error ("maxTps must be a positive number, but 0 was provided")
// is reported at the spec field the prop comes from (`inference.tps.max`).
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { validateBatchInferenceProps } from '../batch-inference/validate-batch-inference-props';
import { validateGpuBatchComputeProps } from '../gpu-batch-compute/validate-gpu-batch-compute-props';
import { validatePredictions } from '../monitoring/prediction-alarms';
import { validateQuality } from '../monitoring/quality-alarms';
import { validateTraining } from '../monitoring/training-alarms';
import { validateDrift } from '../monitoring/drift-alarms';
import { validatePredictionApiProps } from '../prediction-api/validate-prediction-api-props';
import { validateTraffic } from '../prediction-service/capacity';
import { validatePeakWindows } from '../prediction-service/serving-props';
import { SpecProblem } from '../spec/fields';
import { InferenceMode, ModelHosting, ModelSpec, PromotionMode, ServingFrontEnd, TrainingEngine } from '../spec/model-spec';
import { validateFargateModelServiceProps } from '../model-service/validate-fargate-model-service-props';
import { validateBatchBackendOptions, validateSageMakerBackendOptions } from '../training-pipeline/validate-training-backend-options';
import { validateTrainingPipelineProps } from '../training-pipeline/validate-training-pipeline-props';
import * as map from './spec-mapping';

/** Construct prop (the first word of a validator's message) -> the spec field it is mapped from. */
type FieldMap = Readonly<Record<string, string>>;

// Validators of the monitoring props only look at whether a state machine is given.
const BOUND_AT_SYNTH = {} as sfn.IStateMachine;

/** Every problem the platform's constructs would raise for this spec, at the spec field that causes it. */
export function specPropProblems(spec: ModelSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const check = (fallback: string, fields: FieldMap, validate: () => void) => {
    try {
      validate();
    } catch (e) {
      problems.push(toProblem(spec.file, (e as Error).message, fallback, fields));
    }
  };

  if (spec.data.external || spec.data.location !== `${spec.name}/`) {
    problems.push({
      file: spec.file, path: 'data.location', value: spec.data.location,
      expected: `"${spec.name}/" (training reads s3://<datasets bucket>/${spec.name}/<category>/<YYYY-MM-DD>/; other locations are not supported yet)`,
      fix: 'remove data.location and write the data under the model\'s own prefix',
    });
  }

  const manual = spec.evaluation.promotion === PromotionMode.MANUAL;
  check('training', {
    modelName: 'name', categories: 'categories', trainingAttempts: 'training.retries', approvalTimeout: 'evaluation.approvalTimeout',
    evaluation: 'evaluation', hyperparameters: 'training.hyperparameters', dataValidation: 'data', 'dataValidation.minRows': 'data.minRows',
    'dataValidation.columns': 'data.schema', promotion: 'evaluation.promotion',
  }, () => validateTrainingPipelineProps({
    modelName: spec.name, categories: spec.categories, hyperparameters: spec.training.hyperparameters,
    dataValidation: map.dataValidation(spec), evaluation: map.evaluationPolicy(spec), promotion: spec.evaluation.promotion,
    approvalTimeout: manual ? Duration.seconds(spec.evaluation.approvalTimeoutSeconds) : undefined,
    trainingAttempts: spec.training.retries + 1,
  }));

  if (spec.training.backend === TrainingEngine.BATCH) {
    check('training.maxVcpus', { maxvCpus: 'training.maxVcpus' }, () => validateGpuBatchComputeProps({ maxvCpus: spec.training.maxVcpus, spot: spec.training.spot }));
    check('training', { spotAttempts: 'training.retries', command: 'training.command', vcpus: 'training.maxVcpus', maxRuntime: 'training.maxRuntime' },
      () => validateBatchBackendOptions({ ...map.batchOptions(spec), computeMaxvCpus: spec.training.maxVcpus ?? GPU_COMPUTE_DEFAULT_MAX_VCPUS }));
  } else {
    check('training', {
      instanceCount: 'training.instanceCount', volumeSizeGiB: 'training.volumeSize', instanceType: 'training.instanceType',
      maxRuntime: 'training.maxRuntime', spotMaxWait: 'training.maxWait',
    }, () => validateSageMakerBackendOptions(map.sageMakerOptions(spec)));
  }

  const batch = spec.inference.mode !== InferenceMode.ONLINE;
  if (batch) {
    check('inference', { model: 'name', categories: 'categories', predictionTtl: 'inference.ttl' }, () => validateBatchInferenceProps({
      model: spec.name, categories: spec.categories, predictionTtl: Duration.seconds(spec.inference.ttlSeconds),
    }));
  }

  const tps = spec.inference.tps;
  const peaks = { peakWindows: 'inference.peakWindows', provisionedConcurrency: 'inference.peakWindows' };
  if (spec.inference.serving === ServingFrontEnd.SERVICE) {
    check('inference.tps', { minTps: 'inference.tps.min', avgTps: 'inference.tps.avg', maxTps: 'inference.tps.max', ...peaks }, () => {
      validateTraffic({ minTps: tps.min, avgTps: tps.avg, maxTps: tps.max, tpsPerTask: 300 });
      validatePeakWindows(map.peakWindows(spec));
    });
  } else if (spec.inference.serving === ServingFrontEnd.API) {
    check('inference', { maxTps: 'inference.tps.max', ...peaks }, () => validatePredictionApiProps({
      maxTps: tps.max, peakWindows: map.peakWindows(spec), provisionedConcurrency: map.apiProvisionedConcurrency(spec),
    }));
  }

  const f = spec.inference.fargate;
  if (spec.inference.hosting === ModelHosting.FARGATE && spec.inference.mode !== InferenceMode.BATCH && f.command.length > 0) {
    check('inference.fargate', {
      cpu: 'inference.fargate.cpu', memoryLimitMiB: 'inference.fargate.memoryMiB', minTaskCount: 'inference.fargate.tasks', maxTaskCount: 'inference.fargate.maxTasks',
      peakTaskCount: 'inference.fargate.maxTasks', tpsPerTask: 'inference.fargate.tpsPerTask',
    }, () => validateFargateModelServiceProps({
      cpu: f.cpu, memoryLimitMiB: f.memoryMiB, minTaskCount: f.taskCount, maxTaskCount: f.maxTaskCount, peakTaskCount: f.maxTaskCount,
      tpsPerTask: f.tpsPerTask, targetCpuUtilizationPercent: 50, command: f.command,
    }));
  }

  const monitored = { model: 'name', categories: 'categories', scheduleInterval: 'schedule.cron', jobDuration: 'training.maxRuntime', jobAttempts: 'training.retries' };
  check('schedule', monitored, () => validateTraining({
    model: spec.name, categories: spec.categories, stateMachine: BOUND_AT_SYNTH,
    scheduleInterval: map.scheduleInterval(spec), ...map.trainingJobBudget(spec),
  }));
  if (spec.evaluation.threshold !== undefined) {
    check('evaluation.threshold', { ...monitored, threshold: 'evaluation.threshold' }, () => validateQuality({
      model: spec.name, categories: spec.categories, metricName: spec.evaluation.metric, direction: spec.evaluation.direction, threshold: spec.evaluation.threshold!,
    }));
  }
  const freshnessPace = spec.inference.schedule ? 'inference.schedule.cron' : 'schedule.cron';
  if (batch) {
    check('inference.ttl', { ...monitored, ttl: 'inference.ttl', warningAge: freshnessPace, criticalAge: 'inference.ttl', batchInterval: freshnessPace }, () => {
      validatePredictions({
        model: spec.name, categories: spec.categories, ttl: Duration.seconds(spec.inference.ttlSeconds),
        ...map.predictionFreshness(spec), batchInferenceStateMachine: BOUND_AT_SYNTH,
      });
      validateDrift({ model: spec.name, categories: spec.categories });
    });
  }
  return problems;
}

/** GpuBatchCompute's maxvCpus when the spec gives none. */
const GPU_COMPUTE_DEFAULT_MAX_VCPUS = 16;

// "<prop> must be <rule>, but <value> was provided[: <fix>]" -> a problem at the prop's spec field.
function toProblem(file: string, message: string, fallback: string, fields: FieldMap): SpecProblem {
  const prop = /^([A-Za-z][\w.]*)/.exec(message)?.[1] ?? '';
  const path = fields[prop] ?? fields[prop.replace(/\[\d+\].*$/, '')] ?? fields[prop.split('.')[0]] ?? fallback;
  const m = /^(.*?), but (.*?) (?:was|were) provided(?::\s*(.*))?$/s.exec(message);
  return {
    file, path,
    value: m ? m[2] : undefined,
    expected: `a value the platform can build (${m ? m[1] : message})`,
    fix: m?.[3] ?? `change ${path} as the expectation says`,
  };
}
